import { describe, expect, it } from "vitest";
import { normalizeText, toOriginalSpan } from "./normalize.js";

const fold = (text: string) => normalizeText(text).text;

describe("normalizeText", () => {
  it("lowercases and collapses whitespace, keeping one newline for a run that holds a line break", () => {
    expect(fold("  Hello\t\tWORLD \r\n\n  again ")).toBe("hello world\nagain");
  });

  it("removes zero-width characters inside a word", () => {
    expect(fold("ig\u200bno\u200dre al\u2060l pre\ufeffvious")).toBe("ignore all previous");
  });

  it("removes Unicode tag characters", () => {
    const tags = [..."hidden"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    expect(fold(`plain${tags} text`)).toBe("plain text");
  });

  it("folds full-width letters, ligatures and mathematical alphabets (compatibility mapping)", () => {
    expect(fold("ＩＧＮＯＲＥ ﬁle 𝐢𝐧𝐬𝐭𝐫𝐮𝐜𝐭𝐢𝐨𝐧𝐬")).toBe("ignore file instructions");
  });

  it("drops diacritics and folds typographic quotes", () => {
    expect(fold("Ïgnörè don’t “this”")).toBe('ignore don\'t "this"');
  });

  it("folds Cyrillic and Greek look-alikes inside words that mix them with Latin letters", () => {
    // і, о, е, а, р, с are Cyrillic; ο is Greek.
    expect(fold("Іgnоrе аll рrеviοus instruсtions")).toBe("ignore all previous instructions");
  });

  it("leaves words written wholly in Cyrillic alone", () => {
    expect(fold("Привет, как дела?")).toBe("привет, как дела?");
  });

  it("reads control characters and lone surrogates as word breaks", () => {
    expect(fold("a\u0000b\ud800c\udc00d")).toBe("a b c d");
  });

  it("maps a span of the folded text back to the original text", () => {
    const original = "Please\u200b  IGN\u200bORE   the ＲＵＬＥＳ now";
    const norm = normalizeText(original);
    const at = norm.text.indexOf("ignore the rules");
    expect(at).toBeGreaterThan(0);
    const span = toOriginalSpan(norm, at, at + "ignore the rules".length);
    expect(original.slice(span.start, span.end)).toBe("IGN\u200bORE   the ＲＵＬＥＳ");
  });

  it("maps spans of astral characters to both of their UTF-16 units", () => {
    const original = "x 𝐀𝐁 y";
    const norm = normalizeText(original);
    expect(norm.text).toBe("x ab y");
    const span = toOriginalSpan(norm, 2, 4);
    expect(original.slice(span.start, span.end)).toBe("𝐀𝐁");
  });

  it("returns empty text for empty or all-invisible input", () => {
    expect(fold("")).toBe("");
    expect(fold("\u200b\u200c  \ufeff")).toBe("");
    expect(toOriginalSpan(normalizeText(""), 0, 0)).toEqual({ start: 0, end: 0 });
  });
});
