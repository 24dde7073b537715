import { describe, expect, it } from "vitest";
import type { LoadedDocument } from "../types.js";
import { loadMarkdown } from "./markdown.js";

const sectionTexts = (doc: LoadedDocument) =>
  doc.sections.map((s) => ({ path: s.headingPath, text: doc.text.slice(s.start, s.end) }));

describe("loadMarkdown()", () => {
  it("turns front matter into metadata and keeps it out of every section", () => {
    const source = [
      "---",
      "title: Refund policy",
      "tags: [billing, refunds]",
      "owner: { team: payments, oncall: true }",
      "reviewed: null",
      "---",
      "",
      "Refunds are issued within 30 days.",
      "",
    ].join("\n");
    const doc = loadMarkdown(source, { source: "docs/refunds.md" });
    expect(doc.text).toBe(source);
    expect(doc.metadata).toEqual({
      title: "Refund policy",
      tags: ["billing", "refunds"],
      "owner.team": "payments",
      "owner.oncall": true,
      source: "docs/refunds.md",
    });
    expect(sectionTexts(doc)).toEqual([{ path: [], text: "Refunds are issued within 30 days." }]);
  });

  it("nests heading paths by depth, each section running from its heading to the next", () => {
    const source = [
      "Intro before any heading.",
      "# Billing",
      "Billing text.",
      "## Refunds *in* `EUR`",
      "Refund text.",
      "### Partial",
      "Partial text.",
      "## Invoices",
      "Invoice text.",
      "Shipping\n========",
      "Ship text.",
    ].join("\n\n");
    const doc = loadMarkdown(source);
    expect(sectionTexts(doc)).toEqual([
      { path: [], text: "Intro before any heading." },
      { path: ["Billing"], text: "# Billing\n\nBilling text." },
      { path: ["Billing", "Refunds in EUR"], text: "## Refunds *in* `EUR`\n\nRefund text." },
      { path: ["Billing", "Refunds in EUR", "Partial"], text: "### Partial\n\nPartial text." },
      { path: ["Billing", "Invoices"], text: "## Invoices\n\nInvoice text." },
      { path: ["Shipping"], text: "Shipping\n========\n\nShip text." },
    ]);
    expect(doc.metadata.title).toBe("Billing");
  });

  it("keeps offsets right after a byte order mark and with Windows line endings", () => {
    const source = "\uFEFF# Title\r\n\r\nBody line.\r\n";
    const doc = loadMarkdown(source);
    expect(sectionTexts(doc)).toEqual([{ path: ["Title"], text: "# Title\r\n\r\nBody line." }]);
  });

  it("prefers the front matter title and lets caller metadata win over both", () => {
    expect(loadMarkdown("---\ntitle: From YAML\n---\n# From heading\n").metadata.title).toBe("From YAML");
    expect(loadMarkdown("# From heading\n", { title: "Given" }).metadata.title).toBe("Given");
    expect(loadMarkdown("## Only a subheading\n").metadata.title).toBeUndefined();
  });

  it("rejects invalid front matter with INVALID_DOCUMENT naming the file and line, not the content", () => {
    const source = "---\ntitle: ok\nsecret: [unclosed\n---\nBody.\n";
    const error = (() => {
      try {
        loadMarkdown(source, { source: "notes.md" });
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(error?.code).toBe("INVALID_DOCUMENT");
    expect(error?.message).toMatch(
      /^notes\.md has front matter that is not valid YAML \(.+ at line \d+, column \d+\)/,
    );
    expect(error?.message).not.toContain("unclosed");
    expect(() => loadMarkdown("---\n- a\n- b\n---\nBody\n")).toThrow(/not a YAML mapping/);
  });

  it("rejects a document with only front matter or whitespace as EMPTY_DOCUMENT", () => {
    expect(() => loadMarkdown("---\ntitle: x\n---\n\n  \n")).toThrow(
      expect.objectContaining({
        code: "EMPTY_DOCUMENT",
        message: expect.stringContaining("has no text to index"),
      }),
    );
    expect(() => loadMarkdown(" \n\t\n")).toThrow(expect.objectContaining({ code: "EMPTY_DOCUMENT" }));
  });

  it("rejects text with unpaired surrogates as INVALID_DOCUMENT", () => {
    expect(() => loadMarkdown("# Title\n\nbroken \uD800 text")).toThrow(
      expect.objectContaining({ code: "INVALID_DOCUMENT" }),
    );
  });
});
