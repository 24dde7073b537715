import { describe, expect, it } from "vitest";

describe("loading PDFs", () => {
  it("leaves the process's JSON functions native (pdfjs's bundled polyfill would slow every JSON.stringify)", async () => {
    const { stringify, parse } = JSON;
    const { PDFDocument, StandardFonts } = await import("pdf-lib");
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    page.drawText("Refunds take five days.", { font: await doc.embedFont(StandardFonts.Helvetica) });
    const { loadPdf } = await import("./pdf.js");
    const loaded = await loadPdf(await doc.save(), { source: "r.pdf" });
    expect(loaded.text).toContain("Refunds take five days.");
    expect(JSON.stringify).toBe(stringify);
    expect(JSON.parse).toBe(parse);
    expect(String(JSON.stringify)).toContain("[native code]");
  });
});
