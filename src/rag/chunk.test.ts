import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countTextTokens } from "../model/tokens.js";
import { chunkDocument, DEFAULT_CHUNKING } from "./chunk.js";
import { loadMarkdown, loadText } from "./loaders/index.js";
import type { Chunk, LoadedDocument } from "./types.js";

/** Every invariant a consumer of chunks relies on; returns nothing, fails through expect. */
function expectValidChunks(doc: LoadedDocument, chunks: Chunk[], maxTokens: number): void {
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.text).toBe(doc.text.slice(chunk.start, chunk.end));
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(chunk.tokens).toBe(countTextTokens(chunk.text));
    expect(chunk.tokens).toBeLessThanOrEqual(maxTokens);
    const section = doc.sections.find((s) => s.start <= chunk.start && chunk.end <= s.end);
    expect(section, `chunk ${i} lies within one section`).toBeDefined();
    expect(chunk.headingPath).toEqual(section!.headingPath);
    expect(chunk.page).toBe(section!.page);
    const previous = chunks[i - 1];
    if (previous) {
      expect(chunk.start).toBeGreaterThan(previous.start);
      expect(chunk.end, "a chunk never repeats the whole previous one").toBeGreaterThan(previous.end);
    }
  });
  for (const section of doc.sections) {
    for (let at = section.start; at < section.end; at++) {
      if (/\s/.test(doc.text[at]!)) continue;
      const covered = chunks.some((c) => c.start <= at && at < c.end);
      if (!covered) expect.fail(`character ${at} (${JSON.stringify(doc.text[at])}) is in no chunk`);
    }
  }
}

const paragraph = (n: number, word = "refund") =>
  Array.from({ length: n }, (_, i) => `The ${word} policy sentence number ${i} applies to orders.`).join(" ");

describe("chunkDocument()", () => {
  it("keeps paragraphs whole and packs several into a chunk when they fit", () => {
    const text = ["Alpha para one.", "Beta para two.", "Gamma para three."].join("\n\n");
    const chunks = chunkDocument(loadText(text));
    expect(chunks).toEqual([
      { index: 0, text, start: 0, end: text.length, headingPath: [], tokens: countTextTokens(text) },
    ]);
  });

  it("starts a new chunk at a paragraph boundary and repeats the last short paragraph as overlap", () => {
    const paragraphs = [paragraph(6, "alpha"), paragraph(6, "beta"), "Short bridge.", paragraph(6, "gamma")];
    const doc = loadText(paragraphs.join("\n\n"));
    const chunks = chunkDocument(doc, { maxTokens: 100, overlapTokens: 10 });
    expectValidChunks(doc, chunks, 100);
    expect(chunks.map((c) => c.text)).toEqual([
      paragraphs[0],
      `${paragraphs[1]}\n\nShort bridge.`,
      `Short bridge.\n\n${paragraphs[3]}`,
    ]);
  });

  it("splits an overlong paragraph at sentence ends", () => {
    const doc = loadText(paragraph(120)); // longer than one segmenting window
    const chunks = chunkDocument(doc, { maxTokens: 64, overlapTokens: 0 });
    expectValidChunks(doc, chunks, 64);
    expect(chunks.length).toBeGreaterThan(15);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^The refund .*orders\.$/);
  });

  it("splits a sentence with no ends into words, and a word longer than the budget into pieces", () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ");
    const blob = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919) % 251)).toString("base64");
    const doc = loadText(`${words}\n\n${blob}`);
    const chunks = chunkDocument(doc, { maxTokens: 50, overlapTokens: 8 });
    expectValidChunks(doc, chunks, 50);
    const blobChunks = chunks.filter((c) => c.start >= words.length);
    expect(blobChunks.length).toBeGreaterThan(20);
    expect(chunks.every((c) => !c.text.startsWith("word") || /^word\d+/.test(c.text))).toBe(true);
  });

  it("never splits a surrogate pair, even inside a run of emoji longer than the budget", () => {
    const doc = loadText("😀".repeat(400));
    const chunks = chunkDocument(doc, { maxTokens: 16, overlapTokens: 0 });
    expectValidChunks(doc, chunks, 16);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^(?:😀)+$/u);
  });

  it("gives each chunk its section's heading path and never crosses or overlaps into another section", () => {
    const source = `# Billing\n\n${paragraph(12)}\n\n## Refunds\n\n${paragraph(12, "return")}\n`;
    const doc = loadMarkdown(source);
    const chunks = chunkDocument(doc, { maxTokens: 64, overlapTokens: 20 });
    expectValidChunks(doc, chunks, 64);
    const refunds = chunks.filter((c) => c.headingPath.join("/") === "Billing/Refunds");
    expect(refunds[0]!.text.startsWith("## Refunds")).toBe(true);
    expect(chunks.filter((c) => c.headingPath.join("/") === "Billing").length).toBeGreaterThan(1);
  });

  it("keeps the page of a paged section", () => {
    const text = "page one text\n\npage two text";
    const doc: LoadedDocument = {
      text,
      metadata: {},
      sections: [
        { start: 0, end: 13, headingPath: [], page: 1 },
        { start: 15, end: text.length, headingPath: [], page: 2 },
      ],
    };
    expect(chunkDocument(doc).map((c) => [c.text, c.page])).toEqual([
      ["page one text", 1],
      ["page two text", 2],
    ]);
  });

  it("does not join text across a wall of whitespace too long to count cheaply", () => {
    const doc = loadText(`before${" ".repeat(20_000)}after`);
    const chunks = chunkDocument(doc, { maxTokens: 16, overlapTokens: 0 });
    expectValidChunks(doc, chunks, 16);
    expect(chunks.map((c) => c.text)).toEqual(["before", "after"]);
  });

  it("rejects options outside the allowed ranges with INVALID_OPTION", () => {
    const doc = loadText("some text");
    for (const options of [
      { maxTokens: 8 },
      { maxTokens: 10_000 },
      { maxTokens: 100.5 },
      { overlapTokens: -1 },
      { maxTokens: 100, overlapTokens: 50 },
      { overlapTokens: 1.5 },
    ]) {
      expect(() => chunkDocument(doc, options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: "INVALID_OPTION" }),
      );
    }
    expect(DEFAULT_CHUNKING).toEqual({ maxTokens: 512, overlapTokens: 64 });
  });

  it("rejects sections that overlap or run past the text with INVALID_DOCUMENT", () => {
    const text = "abc def ghi";
    const bad: LoadedDocument[] = [
      { text, metadata: {}, sections: [{ start: 0, end: 20, headingPath: [] }] },
      {
        text,
        metadata: {},
        sections: [
          { start: 0, end: 7, headingPath: [] },
          { start: 4, end: 11, headingPath: [] },
        ],
      },
    ];
    for (const doc of bad) {
      expect(() => chunkDocument(doc)).toThrow(expect.objectContaining({ code: "INVALID_DOCUMENT" }));
    }
  });

  it("holds its invariants for any text, sections and budget", () => {
    const piece = fc.oneof(
      fc.constantFrom("alpha", "Beta", "gamma.", "x", "42", "😀", "é", ",", "!", "?", "-", "—", "世界"),
      fc.constantFrom(" ", "  ", "\n", "\n\n", "\n \n", "\t", "\r\n\r\n", ". ", "\u00a0"),
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.stringMatching(/^[A-Za-z0-9+/]{50,400}$/),
    );
    const docArb = fc
      .tuple(fc.array(piece, { maxLength: 120 }), fc.array(fc.nat(), { maxLength: 8 }))
      .map(([pieces, cuts]): LoadedDocument => {
        const text = pieces.join("");
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const bounds = [0, ...points, text.length];
        const sections = bounds.slice(1).flatMap((end, i) => {
          const start = bounds[i]!;
          // Every other span is a section, so some text lies outside all of them.
          return i % 2 === 0 && end > start ? [{ start, end, headingPath: [`h${i}`], page: i + 1 }] : [];
        });
        return { text, metadata: {}, sections };
      });
    const budget = fc.integer({ min: 16, max: 80 }).chain((maxTokens) =>
      fc.record({
        maxTokens: fc.constant(maxTokens),
        overlapTokens: fc.nat({ max: Math.ceil(maxTokens / 2) - 1 }),
      }),
    );
    fc.assert(
      fc.property(docArb, budget, (doc, options) => {
        expectValidChunks(doc, chunkDocument(doc, options), options.maxTokens);
      }),
      { numRuns: 300 },
    );
  });
});
