import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePartialJson } from "./partial-json.js";

describe("parsePartialJson()", () => {
  it.each([
    ["", undefined],
    ["{", {}],
    ['{"na', {}],
    ['{"name"', {}],
    ['{"name":', {}],
    ['{"name": "Ad', { name: "Ad" }],
    ['{"name": "Ada", ', { name: "Ada" }],
    ['{"name": "Ada", "age": 3', { name: "Ada" }],
    ['{"name": "Ada", "age": 36,', { name: "Ada", age: 36 }],
    ['{"ok": tru', {}],
    ['{"ok": true}', { ok: true }],
    ['{"tags": ["a", "b', { tags: ["a", "b"] }],
    ['{"tags": [{"x": [1, 2', { tags: [{ x: [1] }] }],
    ['{"q": "say \\"hi\\', { q: 'say "hi' }],
    ['{"q": "caf\\u00e', { q: "caf" }],
    ['{"q": "caf\\u00e9', { q: "café" }],
    ['```json\n{"a": "b', { a: "b" }],
    ['[1, 2, "thr', [1, 2, "thr"]],
    ['{"a": 1} trailing', { a: 1 }],
  ])("%j → %j", (text, expected) => {
    expect(parsePartialJson(text)?.value).toEqual(expected);
  });

  it("returns undefined for text that is not JSON", () => {
    expect(parsePartialJson("Sure, here")).toBeUndefined();
  });

  it("parses every prefix of any JSON document, and the whole document exactly", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value, null, 1);
        for (let i = 0; i <= json.length; i++) parsePartialJson(json.slice(0, i));
        const whole = parsePartialJson(json);
        // A bare top-level number has nothing after it to prove it complete.
        if (typeof value !== "number") expect(whole?.value).toEqual(JSON.parse(json));
      }),
    );
  });
});
