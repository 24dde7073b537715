import type { Section } from "../types.js";

/** The slice of the DOM this walker reads; linkedom's nodes (and browsers') have it. */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  childNodes: ArrayLike<DomNode>;
  textContent: string | null;
  getAttribute?(name: string): string | null;
}

/** A paragraph-like piece of the page; `heading` is its level (1–6) when it is a heading. */
export interface Block {
  text: string;
  heading?: number;
}

/** Readability turns every h1 into an h2; the loader records each heading's level here beforehand. */
export const LEVEL_ATTRIBUTE = "data-keel-heading-level";

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const BLOCK_TAGS = new Set(
  (
    "ADDRESS ARTICLE ASIDE BLOCKQUOTE BODY CAPTION DD DETAILS DIALOG DIV DL DT FIELDSET FIGCAPTION FIGURE " +
    "FOOTER FORM HEADER HGROUP HR HTML LI MAIN OL P SECTION SUMMARY TABLE TBODY TD TFOOT TH THEAD TR UL"
  ).split(" "),
);
// Elements whose text is code, styling or controls rather than something a reader reads.
const SKIPPED_TAGS = new Set(
  "HEAD SCRIPT STYLE NOSCRIPT TEMPLATE SVG MATH NAV IFRAME OBJECT CANVAS BUTTON SELECT TEXTAREA".split(" "),
);

/**
 * The readable text of a DOM subtree as blocks: whitespace collapsed except in `pre`, `br` kept as a
 * line break, each heading its own block. Inline elements (links, emphasis) join their block's text.
 */
export function htmlBlocks(root: DomNode): Block[] {
  const blocks: Block[] = [];
  let buffer = "";
  let heading: number | undefined;
  const flush = () => {
    const text = buffer
      .split("\n")
      .map((line) => line.replace(/ {2,}/g, " ").trim())
      .filter((line) => line !== "")
      .join("\n");
    if (text) blocks.push(heading === undefined ? { text } : { text, heading });
    buffer = "";
  };
  const walk = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) buffer += (node.textContent ?? "").replace(/\s+/g, " ");
    if (node.nodeType !== ELEMENT_NODE) return;
    const tag = node.nodeName.toUpperCase();
    if (SKIPPED_TAGS.has(tag)) return;
    if (tag === "BR") buffer += "\n";
    else if (tag === "PRE") {
      flush();
      // Code keeps its indentation; only the blank lines around it go.
      const code = (node.textContent ?? "").replace(/^(?:[ \t]*\n)+/, "").trimEnd();
      if (code.trim()) blocks.push({ text: code });
    } else {
      const level = headingLevel(node, tag);
      const isBlock = level !== undefined || BLOCK_TAGS.has(tag);
      if (isBlock) flush();
      if (level !== undefined) heading = level;
      for (const child of Array.from(node.childNodes)) walk(child);
      if (isBlock) flush();
      if (level !== undefined) heading = undefined;
    }
  };
  walk(root);
  flush();
  return blocks;
}

function headingLevel(node: DomNode, tag: string): number | undefined {
  if (!/^H[1-6]$/.test(tag)) return undefined;
  const recorded = Number(node.getAttribute?.(LEVEL_ATTRIBUTE));
  return recorded >= 1 && recorded <= 6 ? recorded : Number(tag[1]);
}

/**
 * Joins blocks with blank lines; each heading starts a section (heading included) whose path is the
 * stack of enclosing headings by level. Blocks before the first heading form a section with no path.
 */
export function assembleBlocks(blocks: Block[]): { text: string; sections: Section[] } {
  let text = "";
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  let start: number | undefined;
  const close = () => {
    if (start !== undefined)
      sections.push({ start, end: text.length, headingPath: stack.map((h) => h.text) });
  };
  for (const block of blocks) {
    if (block.heading !== undefined) {
      close();
      while (stack.length > 0 && stack[stack.length - 1]!.level >= block.heading) stack.pop();
      stack.push({ level: block.heading, text: block.text.replace(/\s+/g, " ") });
      start = undefined;
    }
    if (text) text += "\n\n";
    start ??= text.length;
    text += block.text;
  }
  close();
  return { text, sections };
}
