import type { Heading, Nodes, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { frontmatterFromMarkdown } from "mdast-util-frontmatter";
import { frontmatter } from "micromark-extension-frontmatter";
import { parse as parseYaml, YAMLError } from "yaml";
import type { LoadedDocument, Metadata, Section } from "../types.js";
import { documentName, finishDocument, invalidDocument, pushSection } from "./document.js";
import { flattenMetadata } from "./metadata.js";

/**
 * Markdown with its structure. `text` is the source unchanged, so chunk spans cite the file as it is;
 * each top-level heading starts a section that includes the heading line and runs to the next one.
 * YAML front matter becomes metadata and lies outside every section.
 *
 * @example
 * loadMarkdown("---\ntitle: Refunds\n---\n# Billing\n## Refunds\nWithin 30 days.").sections
 * // [{ headingPath: ["Billing"], … }, { headingPath: ["Billing", "Refunds"], … }]
 */
export function loadMarkdown(source: string, metadata: Metadata = {}): LoadedDocument {
  const tree = fromMarkdown(source, {
    extensions: [frontmatter(["yaml"])],
    mdastExtensions: [frontmatterFromMarkdown(["yaml"])],
  });
  // micromark drops a leading byte order mark and counts offsets from after it.
  const shift = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const name = documentName(metadata);
  const derived: Metadata = {};
  const content: RootContent[] = [];
  for (const node of tree.children) {
    if (node.type === "yaml") Object.assign(derived, parseFrontMatter(node.value, name));
    else content.push(node);
  }
  const sections = sectionsOf(source, content, shift);
  if (derived.title === undefined) {
    const h1 = content.find((n): n is Heading => n.type === "heading" && n.depth === 1);
    const title = h1 && plainText(h1);
    if (title) derived.title = title;
  }
  return finishDocument({ text: source, metadata: { ...derived, ...metadata }, sections });
}

function sectionsOf(source: string, nodes: RootContent[], shift: number): Section[] {
  const sections: Section[] = [];
  // Headings by depth: a heading closes every open heading of its depth or deeper.
  const stack: { depth: number; text: string }[] = [];
  let start: number | undefined;
  let end = 0;
  const close = () => {
    if (start !== undefined) pushSection(sections, source, start, end, { headingPath: pathOf(stack) });
  };
  for (const node of nodes) {
    const from = (node.position?.start.offset ?? 0) + shift;
    if (node.type === "heading") {
      close();
      while (stack.length > 0 && stack[stack.length - 1]!.depth >= node.depth) stack.pop();
      stack.push({ depth: node.depth, text: plainText(node) });
      start = from;
    }
    start ??= from;
    end = (node.position?.end.offset ?? 0) + shift;
  }
  close();
  return sections;
}

// An empty heading (`#` alone) still closes deeper headings but adds nothing useful to a path.
function pathOf(stack: { text: string }[]): string[] {
  return stack.map((h) => h.text).filter((t) => t !== "");
}

/** A heading's words as a reader sees them: no `#`, emphasis marks, link targets or inline HTML. */
function plainText(node: Nodes): string {
  const parts: string[] = [];
  const walk = (n: Nodes) => {
    if (n.type === "html") return;
    if (n.type === "image" || n.type === "imageReference") parts.push(n.alt ?? "");
    else if ("value" in n) parts.push(n.value);
    if ("children" in n) for (const child of n.children) walk(child);
  };
  walk(node);
  return parts.join("").replace(/\s+/g, " ").trim();
}

function parseFrontMatter(yaml: string, name: string): Metadata {
  let data: unknown;
  try {
    data = parseYaml(yaml);
  } catch (error) {
    if (!(error instanceof YAMLError)) throw error;
    // The library's message quotes the offending lines; ours gives only the place (file lines, after "---").
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line + 1}, column ${at.col}` : "";
    throw invalidDocument(
      `${name} has front matter that is not valid YAML (${error.code}${where}); fix the block between the --- lines`,
      error,
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw invalidDocument(
      `${name} has front matter that is not a YAML mapping; write it as "key: value" lines between the --- lines`,
    );
  }
  return flattenMetadata(data as Record<string, unknown>);
}
