import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import type { LoadedDocument, Metadata } from "../types.js";
import { finishDocument } from "./document.js";
import { assembleBlocks, type Block, type DomNode, htmlBlocks, LEVEL_ATTRIBUTE } from "./html-text.js";

export interface LoadHtmlOptions {
  /** Where the page came from; kept as `metadata.url`. */
  url?: string;
  metadata?: Metadata;
}

interface Element extends DomNode {
  remove(): void;
  closest(selector: string): Element | null;
  setAttribute(name: string, value: string): void;
}
interface Page {
  title: string;
  documentElement: Element | null;
  querySelectorAll(selector: string): ArrayLike<Element>;
}

// Never content, wherever they are. Headers and footers are only chrome outside an article.
const CHROME_EVERYWHERE = "script, style, noscript, template, nav, aside";
const CHROME_OUTSIDE_ARTICLE = "header, footer";

/**
 * A web page's main content: Readability picks the article (dropping navigation, headers, footers,
 * sidebars), then the text is rebuilt from its DOM with one section per heading. When Readability
 * finds nothing, the whole body without page chrome is used.
 *
 * @example
 * const doc = loadHtml(await (await fetch(url)).text(), { url });
 */
export function loadHtml(html: string, options: LoadHtmlOptions = {}): LoadedDocument {
  const page = parsePage(html);
  const pageTitle = page.title?.trim();
  const lang = page.documentElement?.getAttribute?.("lang")?.trim();
  removeChrome(page, false);
  for (const h of Array.from(page.querySelectorAll("h1, h2, h3, h4, h5, h6"))) {
    h.setAttribute(LEVEL_ATTRIBUTE, h.nodeName.slice(1));
  }
  const article = new Readability<DomNode>(page, { serializer: (node) => node as DomNode }).parse();
  let blocks: Block[] = article?.content ? htmlBlocks(article.content) : [];
  if (blocks.length === 0) {
    // Readability changed the first page's DOM, so the fallback starts from a fresh parse.
    const fresh = parsePage(html);
    removeChrome(fresh, true);
    // The whole <html>, not just <body>: linkedom leaves content outside a <body> that is missing.
    blocks = fresh.documentElement ? htmlBlocks(fresh.documentElement) : [];
  }
  const { text, sections } = assembleBlocks(blocks);
  const metadata: Metadata = {};
  const title = article?.title?.trim() || pageTitle;
  if (title) metadata.title = title;
  if (options.url) metadata.url = options.url;
  if (lang) metadata.lang = lang;
  return finishDocument({ text, metadata: { ...metadata, ...options.metadata }, sections });
}

function parsePage(html: string): Page {
  // linkedom takes the first element as the root: without <html>, the head and body are lost.
  let source = html;
  if (!/<html[\s>]/i.test(html)) {
    source = /<(?:head|body)[\s>]/i.test(html)
      ? `<html>${html}</html>`
      : `<html><head></head><body>${html}</body></html>`;
  }
  return parseHTML(source).document as unknown as Page;
}

function removeChrome(page: Page, everywhere: boolean): void {
  for (const el of Array.from(page.querySelectorAll(CHROME_EVERYWHERE))) el.remove();
  for (const el of Array.from(page.querySelectorAll(CHROME_OUTSIDE_ARTICLE))) {
    if (everywhere || !el.closest("article, main")) el.remove();
  }
}
