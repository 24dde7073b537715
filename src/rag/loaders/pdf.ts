import type { PDFDocumentProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { KeelError } from "../../errors/index.js";
import type { LoadedDocument, Metadata, Section } from "../types.js";
import { documentName, finishDocument } from "./document.js";

const MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
// Readers accept a PDF header anywhere in the first KiB (some generators prepend junk); so do we.
const MAGIC_WINDOW = 1024;

/**
 * The text of a PDF, one section per non-empty page (`page` is 1-based), pages separated by a blank
 * line. Uses pdfjs's legacy build, which runs in Node without a worker thread or a canvas.
 */
export async function loadPdf(bytes: Uint8Array, metadata: Metadata = {}): Promise<LoadedDocument> {
  try {
    return await readPdf(bytes, metadata);
  } finally {
    // pdfjs's worker code, loaded on first use, installs core-js's JSON polyfills too.
    restoreJson();
  }
}

/** The JSON functions as they were before pdfjs could replace them. */
const nativeJson = { stringify: JSON.stringify, parse: JSON.parse };

function restoreJson(): void {
  JSON.stringify = nativeJson.stringify;
  JSON.parse = nativeJson.parse;
}

async function readPdf(bytes: Uint8Array, metadata: Metadata): Promise<LoadedDocument> {
  const name = documentName(metadata);
  if (!hasPdfHeader(bytes)) {
    throw new KeelError(
      "INVALID_PDF",
      `${name} is not a PDF (no %PDF- header); check the file type or its extension`,
    );
  }
  const pdf = await open(bytes, name);
  try {
    const derived: Metadata = { pages: pdf.numPages };
    const title = await documentTitle(pdf);
    if (title) derived.title = title;
    const { text, sections } = await pagesText(pdf);
    return finishDocument(
      { text, metadata: { ...derived, ...metadata }, sections },
      { emptyHint: " (a scanned PDF needs OCR first)" },
    );
  } finally {
    await pdf.destroy();
  }
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  const last = Math.min(bytes.length, MAGIC_WINDOW) - MAGIC.length;
  for (let i = 0; i <= last; i++) {
    if (MAGIC.every((b, j) => bytes[i + j] === b)) return true;
  }
  return false;
}

let pdfjs: Promise<typeof import("pdfjs-dist/legacy/build/pdf.mjs")> | undefined;

/**
 * pdfjs, loaded on the first PDF: its legacy build bundles core-js, which replaces the process's
 * `JSON.stringify` with a polyfill about 6x slower (measured in the gateway benchmark). The native
 * functions, which Node 20 implements fully, are put back once it is loaded.
 */
function loadPdfjs() {
  pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs").finally(restoreJson);
  return pdfjs;
}

async function open(bytes: Uint8Array, name: string): Promise<PDFDocumentProxy> {
  const { getDocument } = await loadPdfjs();
  try {
    // pdfjs transfers (detaches) the buffer it is given, and refuses Node Buffers: a plain copy
    // leaves the caller's bytes intact (Buffer#slice would not copy).
    const task = getDocument({
      data: new Uint8Array(bytes),
      verbosity: 0,
      isEvalSupported: false,
      useSystemFonts: false,
    });
    return await task.promise;
  } catch (error) {
    const kind = error instanceof Error ? error.name : "";
    if (kind === "PasswordException") {
      throw new KeelError(
        "INVALID_PDF",
        `${name} is encrypted (password-protected); decrypt it first (for example \`qpdf --decrypt in.pdf out.pdf\`)`,
        { cause: error },
      );
    }
    throw new KeelError(
      "INVALID_PDF",
      `${name} could not be read as a PDF (${kind || "unknown error"}); check that the file is complete and not corrupt, or re-export it`,
      { cause: error },
    );
  }
}

async function documentTitle(pdf: PDFDocumentProxy): Promise<string | undefined> {
  const { info } = await pdf.getMetadata();
  const title = (info as { Title?: unknown } | undefined)?.Title;
  return typeof title === "string" && title.trim() ? title.trim() : undefined;
}

async function pagesText(pdf: PDFDocumentProxy): Promise<{ text: string; sections: Section[] }> {
  let text = "";
  const sections: Section[] = [];
  for (let page = 1; page <= pdf.numPages; page++) {
    const proxy = await pdf.getPage(page);
    const content = await proxy.getTextContent();
    proxy.cleanup();
    let pageText = "";
    for (const item of content.items) {
      // Marked-content items carry structure, not text.
      if ("str" in item) pageText += item.hasEOL ? `${item.str}\n` : item.str;
    }
    pageText = pageText.trim();
    if (!pageText) continue;
    if (text) text += "\n\n";
    sections.push({ start: text.length, end: text.length + pageText.length, headingPath: [], page });
    text += pageText;
  }
  return { text, sections };
}
