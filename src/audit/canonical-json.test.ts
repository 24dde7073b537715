import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("gives the same bytes as the canonicalize package (RFC 8785) for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON values are what an envelope holds once parsed: -0 is not one of them.
        const json = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(json)).toBe(canonicalize(json));
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts keys by UTF-16 code units and writes numbers as ECMAScript does", () => {
    expect(
      canonicalJson({
        "\ud83d\ude00": 2,
        "\u20ac": 1,
        a: [3, { c: 1e21, b: 0.1 }],
        "": null,
        "10": 0,
        "9": 0,
      }),
    ).toBe('{"":null,"10":0,"9":0,"a":[3,{"b":0.1,"c":1e+21}],"\u20ac":1,"\ud83d\ude00":2}');
  });
});
