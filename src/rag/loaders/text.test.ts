import { describe, expect, it } from "vitest";
import { loadText } from "./text.js";

describe("loadText()", () => {
  it("keeps the text unchanged with one section over its trimmed content", () => {
    const doc = loadText("\n  Hello, world.\n\nSecond paragraph.  \n", { lang: "en" });
    expect(doc.text).toBe("\n  Hello, world.\n\nSecond paragraph.  \n");
    expect(doc.sections).toEqual([{ start: 3, end: 35, headingPath: [] }]);
    expect(doc.metadata).toEqual({ lang: "en" });
  });

  it("rejects blank text as EMPTY_DOCUMENT and unpaired surrogates as INVALID_DOCUMENT", () => {
    expect(() => loadText(" \u00a0\n\t")).toThrow(
      expect.objectContaining({
        code: "EMPTY_DOCUMENT",
        message: expect.stringContaining("remove it or give it content"),
      }),
    );
    expect(() => loadText("ok \uDC00 broken")).toThrow(expect.objectContaining({ code: "INVALID_DOCUMENT" }));
  });
});
