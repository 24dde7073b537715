import { describe, expect, it } from "vitest";
import type { LoadedDocument } from "../types.js";
import { loadHtml } from "./html.js";

const filler = (topic: string) =>
  `${`The ${topic} section explains, in some detail, how the policy works for customers, and why. `.repeat(6)}`;

const page = `<!doctype html>
<html lang="en-GB">
<head><title>Refunds | Example Shop</title><style>.x { color: red }</style></head>
<body>
  <header><div class="logo">SITE-LOGO</div><nav><a href="/">HOME-LINK</a> <a href="/shop">SHOP-LINK</a></nav></header>
  <aside class="sidebar">SIDEBAR-PROMO</aside>
  <main>
    <article>
      <h1>Refund policy</h1>
      <p>Intro   paragraph with <b>bold</b> and <a href="/x">a link</a>. ${filler("intro")}</p>
      <h2>Eligibility</h2>
      <p>${filler("eligibility")}</p>
      <ul><li>Unused items</li><li>Within <em>30</em> days</li></ul>
      <h3>Exceptions</h3>
      <p>${filler("exceptions")}</p>
      <pre>refund --order 42
  --reason damaged</pre>
      <h2>How to ask</h2>
      <p>Line one<br>Line two</p>
    </article>
  </main>
  <footer>FOOTER-COPYRIGHT</footer>
  <script>var tracking = "SCRIPT-TEXT";</script>
</body>
</html>`;

const sectionStarts = (doc: LoadedDocument) =>
  doc.sections.map((s) => ({ path: s.headingPath, start: doc.text.slice(s.start, s.start + 20) }));

describe("loadHtml()", () => {
  it("keeps the article's text and drops navigation, header, footer, sidebar, styles and scripts", () => {
    const doc = loadHtml(page);
    for (const chrome of [
      "SITE-LOGO",
      "HOME-LINK",
      "SHOP-LINK",
      "SIDEBAR-PROMO",
      "FOOTER-COPYRIGHT",
      "SCRIPT-TEXT",
      "color",
    ]) {
      expect(doc.text).not.toContain(chrome);
    }
    expect(doc.text).toContain("Intro paragraph with bold and a link.");
    expect(doc.text).toContain("Unused items\n\nWithin 30 days");
    expect(doc.text).toContain("refund --order 42\n  --reason damaged");
    expect(doc.text).toContain("Line one\nLine two");
  });

  it("starts a section at each heading, with the path of enclosing headings by level", () => {
    const doc = loadHtml(page);
    expect(sectionStarts(doc)).toEqual([
      { path: ["Refund policy"], start: "Refund policy\n\nIntro" },
      { path: ["Refund policy", "Eligibility"], start: "Eligibility\n\nThe eli" },
      { path: ["Refund policy", "Eligibility", "Exceptions"], start: "Exceptions\n\nThe exce" },
      { path: ["Refund policy", "How to ask"], start: "How to ask\n\nLine one" },
    ]);
    const last = doc.sections.at(-1)!;
    expect(doc.text.slice(last.start, last.end)).toBe("How to ask\n\nLine one\nLine two");
  });

  it("gives title, url and lang as metadata, with caller metadata on top", () => {
    const doc = loadHtml(page, { url: "https://example.com/refunds", metadata: { team: "support" } });
    expect(doc.metadata).toEqual({
      title: "Refunds | Example Shop",
      url: "https://example.com/refunds",
      lang: "en-GB",
      team: "support",
    });
  });

  it("drops page chrome from short pages too, and falls back to the body without it", () => {
    const doc = loadHtml(
      "<html><head><title>Tiny</title></head><body><nav>MENU</nav><footer>FOOT</footer><div>Just a line.</div></body></html>",
    );
    expect(doc.text).toBe("Just a line.");
    expect(doc.metadata.title).toBe("Tiny");
    expect(doc.sections).toEqual([{ start: 0, end: 12, headingPath: [] }]);
    // Readability hands back a short page whole; its chrome must still go.
    const short = loadHtml(
      "<body><header>SITE</header><aside>ADS</aside><article><p>Tiny text.</p></article><footer>FOOT</footer></body>",
    );
    expect(short.text).toBe("Tiny text.");
    expect(loadHtml("<html><p>Outside any body.</p></html>").text).toBe("Outside any body.");
  });

  it("accepts a fragment without <html> or <body>", () => {
    const doc = loadHtml("<h2>Note</h2><p>Fragment text.</p>");
    expect(doc.text).toBe("Note\n\nFragment text.");
    expect(doc.sections).toEqual([{ start: 0, end: doc.text.length, headingPath: ["Note"] }]);
  });

  it("rejects a page with no readable text as EMPTY_DOCUMENT", () => {
    expect(() =>
      loadHtml("<html><body><nav>Only navigation</nav><script>x()</script></body></html>", {
        metadata: { source: "blank.html" },
      }),
    ).toThrow(
      expect.objectContaining({
        code: "EMPTY_DOCUMENT",
        message: expect.stringMatching(/^blank\.html has no text/),
      }),
    );
  });
});
