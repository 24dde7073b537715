import type { LoadedDocument, Metadata } from "../types.js";
import { finishDocument, pushSection } from "./document.js";

/**
 * Plain text as one section. The text is kept unchanged so that chunk spans are offsets into the
 * original; the section leaves out leading and trailing whitespace.
 */
export function loadText(text: string, metadata: Metadata = {}): LoadedDocument {
  const doc: LoadedDocument = { text, metadata: { ...metadata }, sections: [] };
  pushSection(doc.sections, text, 0, text.length, { headingPath: [] });
  return finishDocument(doc);
}
