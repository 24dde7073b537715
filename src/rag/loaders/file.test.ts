import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../../testkit/temp-dirs.js";
import { loadFile } from "./file.js";

const tempDir = useTempDirs("keel-loaders-");

function write(name: string, content: string | Uint8Array): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

describe("loadFile()", () => {
  it("picks the loader by extension and uses the path as id and source", async () => {
    const md = write("Guide.MD", "---\ntitle: Guide\n---\n# Setup\n\nRun it.\n");
    const [entry] = await loadFile(md, { metadata: { team: "docs" } });
    expect(entry!.id).toBe(md);
    expect(entry!.document.metadata).toEqual({ title: "Guide", source: md, team: "docs" });
    expect(entry!.document.sections.map((s) => s.headingPath)).toEqual([["Setup"]]);

    const html = write("page.htm", "<html><body><nav>MENU</nav><p>Hello page.</p></body></html>");
    expect((await loadFile(html))[0]!.document.text).toBe("Hello page.");

    const log = write("app.log", "line one\nline two\n");
    expect((await loadFile(log))[0]!.document.sections).toEqual([{ start: 0, end: 17, headingPath: [] }]);
  });

  it("loads a PDF", async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage().drawText("Hello PDF", { font: await pdf.embedFont(StandardFonts.Helvetica) });
    const path = write("doc.pdf", await pdf.save());
    const [entry] = await loadFile(path);
    expect(entry!.document.text).toBe("Hello PDF");
    expect(entry!.document.metadata).toMatchObject({ pages: 1, source: path });
  });

  it("gives one entry per record for JSON Lines, with record options", async () => {
    const path = write("faq.ndjson", '{"key": "q1", "answer": "Yes."}\n{"key": "q2", "answer": "No."}\n');
    const entries = await loadFile(path, { idField: "key", textFields: ["answer"] });
    expect(entries.map((e) => [e.id, e.document.text, e.document.metadata.source])).toEqual([
      ["q1", "Yes.", path],
      ["q2", "No.", path],
    ]);
  });

  it("gives INVALID_PDF for a text file renamed .pdf", async () => {
    const path = write("renamed.pdf", "This was a text file all along.");
    await expect(loadFile(path)).rejects.toMatchObject({
      code: "INVALID_PDF",
      message: expect.stringContaining(path),
    });
  });

  it("gives INVALID_UTF8 with the byte offset of the first bad sequence", async () => {
    const bytes = Buffer.concat([
      Buffer.from("héllo wörld "),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(" then more"),
    ]);
    const path = write("latin.txt", bytes);
    await expect(loadFile(path)).rejects.toMatchObject({
      code: "INVALID_UTF8",
      message: expect.stringContaining(
        `${path} is not valid UTF-8 (first bad byte sequence at byte offset 14)`,
      ),
    });
    const lone = write("lone.md", Buffer.concat([Buffer.from("# ok\n"), Buffer.from([0xff])]));
    await expect(loadFile(lone)).rejects.toMatchObject({ message: expect.stringContaining("byte offset 5") });
    const truncated = write("cut.txt", Buffer.concat([Buffer.from("abc"), Buffer.from([0xf0, 0x9f, 0x98])]));
    await expect(loadFile(truncated)).rejects.toMatchObject({
      message: expect.stringContaining("byte offset 3"),
    });
  });

  it("strips a UTF-8 byte order mark", async () => {
    const path = write(
      "bom.md",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("# Title\n\nBody.")]),
    );
    const [entry] = await loadFile(path);
    expect(entry!.document.text).toBe("# Title\n\nBody.");
    expect(entry!.document.sections).toEqual([{ start: 0, end: 14, headingPath: ["Title"] }]);
  });

  it("refuses a file over maxBytes before reading it", async () => {
    // Invalid UTF-8: had the file been read and decoded, the error would be INVALID_UTF8.
    const path = write("big.txt", Buffer.alloc(2048, 0xff));
    await expect(loadFile(path, { maxBytes: 1024 })).rejects.toMatchObject({
      code: "FILE_TOO_LARGE",
      message: `${path} is 2048 bytes, over the 1024-byte limit; split the file or raise maxBytes`,
    });
  });

  it("gives UNSUPPORTED_FILE_TYPE, FILE_NOT_FOUND and EMPTY_DOCUMENT with the path", async () => {
    await expect(loadFile(write("sheet.xlsx", "x"))).rejects.toMatchObject({
      code: "UNSUPPORTED_FILE_TYPE",
      message: expect.stringContaining(
        ".txt, .text, .log, .md, .markdown, .html, .htm, .pdf, .json, .jsonl, .ndjson",
      ),
    });
    const missing = join(tempDir(), "missing.md");
    await expect(loadFile(missing)).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    const folder = join(tempDir(), "folder.txt");
    mkdirSync(folder);
    await expect(loadFile(folder)).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: expect.stringContaining("not a regular file"),
    });
    const empty = write("empty.txt", " \n\t\n");
    await expect(loadFile(empty)).rejects.toMatchObject({
      code: "EMPTY_DOCUMENT",
      message: `${empty} has no text to index; remove it or give it content`,
    });
  });
});
