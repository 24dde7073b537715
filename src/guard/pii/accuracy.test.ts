import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../testkit/shared-data.js";
import { readPiiRows } from "../data.js";
import { evaluatePii } from "./eval.js";
import { piiScanner } from "./index.js";

// The presidio-research synthetic sentences, converted to Keel's format (see the data folder's
// README), read from the shared data folder (never copied into the repository).
const STRUCTURED = ["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS"] as const;

describe.each(["pii-presidio-synth.jsonl", "pii-presidio-large.jsonl"])("accuracy on %s", (file) => {
  const result = () => evaluatePii(readPiiRows(sharedDataFile(file)), piiScanner());

  it("reaches F1 >= 0.95 on the structured types and >= 0.80 on PERSON", () => {
    const { types } = result();
    for (const type of STRUCTURED) {
      expect(types[type]?.f1 ?? 0, `${type} F1`).toBeGreaterThanOrEqual(0.95);
    }
    expect(types.PERSON?.f1 ?? 0, "PERSON F1").toBeGreaterThanOrEqual(0.8);
  });
});
