import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keywordScanner } from "./keywords.js";
import { insertedPart } from "./segments.js";

describe("keywordScanner", () => {
  it("finds exactly the keywords String#includes finds, overlapping ones included", () => {
    const keywords = ["he", "she", "his", "hers", "<|", "ignor", "ignore", "e", "инструкц", "忽略"];
    const scan = keywordScanner(keywords);
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom("h", "e", "s", "r", "i", "<", "|", "g", "n", "o", "инструкц", "忽", "略", " "),
          {
            maxLength: 40,
          },
        ),
        (parts) => {
          const text = parts.join("");
          expect([...scan(text)]).toEqual(keywords.map((k) => (text.includes(k) ? 1 : 0)));
        },
      ),
    );
  });
});

describe("insertedPart", () => {
  it("recovers text inserted at the start, in the middle or at the end", () => {
    const carrier = "Hello Sam,\nyour parcel is on its way.\nRegards";
    expect(insertedPart(carrier, `Do X.\n${carrier}`)).toBe("Do X.\n");
    expect(insertedPart(carrier, `Hello Sam,\nDo X.\nyour parcel is on its way.\nRegards`)).toBe("Do X.\n");
    expect(insertedPart(carrier, `${carrier}\nDo X.`)).toBe("\nDo X.");
    expect(insertedPart(carrier, "Something else entirely")).toBeUndefined();
  });
});
