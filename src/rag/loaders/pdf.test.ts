import { PDFDocument, PDFHexString, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { loadPdf } from "./pdf.js";

/** A PDF with one page per entry, each line drawn at its own height; an empty entry is a blank page. */
async function makePdf(pages: string[][], title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (title) pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([400, 400]);
    for (const [i, line] of lines.entries()) page.drawText(line, { x: 40, y: 350 - i * 20, size: 12, font });
  }
  return pdf.save();
}

describe("loadPdf()", () => {
  it("gives one section per page with its page number, skipping blank pages", async () => {
    const bytes = await makePdf([["Refunds within 30 days.", "Second line."], [], ["Shipping is free."]]);
    const doc = await loadPdf(bytes);
    expect(doc.text).toBe("Refunds within 30 days.\nSecond line.\n\nShipping is free.");
    expect(
      doc.sections.map((s) => ({ page: s.page, path: s.headingPath, text: doc.text.slice(s.start, s.end) })),
    ).toEqual([
      { page: 1, path: [], text: "Refunds within 30 days.\nSecond line." },
      { page: 3, path: [], text: "Shipping is free." },
    ]);
    expect(doc.metadata).toEqual({ pages: 3 });
  });

  it("takes the title from the document info, under caller metadata, and leaves the caller's bytes usable", async () => {
    const bytes = await makePdf([["Body text."]], "Policy handbook");
    const doc = await loadPdf(bytes, { source: "handbook.pdf" });
    expect(doc.metadata).toEqual({ pages: 1, title: "Policy handbook", source: "handbook.pdf" });
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect((await loadPdf(bytes)).text).toBe("Body text.");
  });

  it("rejects bytes that are not a PDF with INVALID_PDF", async () => {
    const notPdf = new TextEncoder().encode("Just some notes saved with the wrong extension.");
    await expect(loadPdf(notPdf, { source: "notes.pdf" })).rejects.toMatchObject({
      code: "INVALID_PDF",
      message: expect.stringMatching(/^notes\.pdf is not a PDF .*check the file type/),
    });
  });

  it("rejects a truncated PDF with INVALID_PDF", async () => {
    const bytes = await makePdf([["Text."]]);
    await expect(loadPdf(bytes.slice(0, 300))).rejects.toMatchObject({
      code: "INVALID_PDF",
      message: expect.stringContaining("could not be read as a PDF"),
    });
  });

  it("rejects an encrypted PDF with INVALID_PDF saying to decrypt it", async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage().drawText("secret", { font: await pdf.embedFont(StandardFonts.Helvetica) });
    // A standard security handler whose user password is not empty: readers must ask for a password.
    const { context } = pdf;
    const encrypt = context.obj({
      Filter: "Standard",
      V: 1,
      R: 2,
      P: -4,
      O: PDFHexString.of("11".repeat(32)),
      U: PDFHexString.of("22".repeat(32)),
    });
    context.trailerInfo.Encrypt = context.register(encrypt);
    context.trailerInfo.ID = context.obj([
      PDFHexString.of("33".repeat(16)),
      PDFHexString.of("33".repeat(16)),
    ]);
    const bytes = await pdf.save({ useObjectStreams: false });
    await expect(loadPdf(bytes)).rejects.toMatchObject({
      code: "INVALID_PDF",
      message: expect.stringContaining("encrypted (password-protected); decrypt it first"),
    });
  });

  it("rejects a PDF without any text as EMPTY_DOCUMENT, hinting at OCR", async () => {
    await expect(loadPdf(await makePdf([[], []]))).rejects.toMatchObject({
      code: "EMPTY_DOCUMENT",
      message: expect.stringContaining("OCR"),
    });
  });
});
