import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "./json-syntax-error.js";

describe("findJsonSyntaxError()", () => {
  it.each([
    ['{"a": }', 6, 'expected a value but found "}"'],
    ['{"a": 1,}', 8, 'expected a property name in double quotes but found "}"'],
    ['{"a": 1', 7, 'the JSON ends early; expected "," or "}"'],
    ["{'a': 1}", 1, 'expected a property name in double quotes but found "\'"'],
    ["[1, 2] x", 7, 'expected nothing after the JSON value but found "x"'],
    ['"tab\there"', 4, "expected no raw control character inside a string (escape it)"],
    ["", 0, "the JSON ends early; expected a value"],
  ])("%j fails at %d: %s", (text, position, reason) => {
    expect(findJsonSyntaxError(text)).toMatchObject({ position, reason: expect.stringContaining(reason) });
  });

  it("counts lines and columns from 1", () => {
    expect(findJsonSyntaxError('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3 });
  });

  it("agrees with JSON.parse on what is valid", () => {
    const almostJson = fc.oneof(
      fc.json(),
      fc
        .tuple(fc.json(), fc.nat(), fc.constantFrom("", ",", "}", "]", '"', ":", "x", "\\", " "))
        .map(
          ([json, at, insert]) =>
            json.slice(0, at % (json.length + 1)) + insert + json.slice(at % (json.length + 1)),
        ),
    );
    fc.assert(
      fc.property(almostJson, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });
});
