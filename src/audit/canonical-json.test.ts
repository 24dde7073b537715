import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";
import { EVENT_TYPES } from "./events.js";
import { envelopeJson } from "./log.js";

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

  it("matches it too for objects in and out of key order, integer-like keys and undefined values", () => {
    const key = fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.nat(20).map(String),
      fc.constantFrom("a", "b", "__proto__"),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("object"), tie("array")),
      leaf: fc.oneof(
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
      ),
      object: fc.dictionary(key, tie("tree"), { maxKeys: 5 }),
      array: fc.array(tie("tree"), { maxLength: 4 }),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        if (value === undefined) return;
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("throws for what JSON cannot hold, wherever it is", () => {
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/not JSON/);
    expect(() => canonicalJson([1, Symbol("s")])).toThrow(/not JSON/);
    expect(() => canonicalJson({ b: { c: 1n } })).toThrow(TypeError);
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

  it("writes envelopes field by field exactly as the general writer does", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,20}$/);
    fc.assert(
      fc.property(
        fc.record(
          {
            actor: name,
            contentOmitted: fc.constant("redaction-failed" as const),
            data: fc.dictionary(fc.string(), fc.jsonValue()),
            redaction: fc.string(),
            runId: name,
            sealed: fc.record({ key: fc.string(), iv: fc.string(), ct: fc.string() }),
            seq: fc.nat(),
            tenant: name,
            time: fc.integer({ min: 0, max: 2 ** 50 }),
            type: fc.constantFrom(...EVENT_TYPES),
            v: fc.constant(1 as const),
          },
          { requiredKeys: ["actor", "data", "redaction", "seq", "tenant", "time", "type", "v"] },
        ),
        (envelope) => {
          const json = JSON.parse(JSON.stringify(envelope));
          expect(envelopeJson(json)).toBe(canonicalJson(json));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
