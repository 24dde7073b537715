export { DEFAULT_MAX_FILE_BYTES, type LoadFileOptions, loadFile } from "./file.js";
export { type LoadHtmlOptions, loadHtml } from "./html.js";
export { loadMarkdown } from "./markdown.js";
export { flattenMetadata } from "./metadata.js";
export { loadPdf } from "./pdf.js";
export { type IdentifiedDocument, type LoadRecordsOptions, loadRecords } from "./records.js";
export { loadText } from "./text.js";
