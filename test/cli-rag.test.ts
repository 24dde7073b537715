import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const tempDir = useTempDirs("keel-cli-rag-");

function keel(args: string[]) {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

/** A one-line text file in `dir`, for creating a collection. */
function seedFile(dir: string): string {
  write(dir, { "seed.txt": "seed document" });
  return path.join(dir, "seed.txt");
}

function write(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

describe("keel rag ingest and query", () => {
  it("ingests a folder of mixed files, skips unchanged ones on a second run, and cites spans", () => {
    const dir = tempDir();
    write(dir, {
      "docs/refunds.md":
        "---\ntitle: Refunds\nteam: billing\n---\n# Refunds\n\nWe refund purchases within thirty days.\n",
      "docs/security.html":
        "<html><head><title>Security</title></head><body><nav>Home | About</nav><article><h1>Passwords</h1><p>Passwords rotate every ninety days for every employee account.</p></article></body></html>",
      "docs/notes.txt": "Lighthouse keepers log the weather twice a day.",
      "docs/ignored.bin": "not a document",
    });
    const db = path.join(dir, "kb.db");
    const first = keel(["rag", "ingest", "--db", db, "--collection", "kb", "--json", path.join(dir, "docs")]);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout)).toMatchObject({ files: 3, added: 3, unchanged: 0 });
    const second = keel([
      "rag",
      "ingest",
      "--db",
      db,
      "--collection",
      "kb",
      "--json",
      path.join(dir, "docs"),
    ]);
    expect(JSON.parse(second.stdout)).toMatchObject({
      files: 3,
      added: 0,
      updated: 0,
      unchanged: 3,
      chunks: 0,
    });

    const query = keel([
      "rag",
      "query",
      "--db",
      db,
      "--collection",
      "kb",
      "--k",
      "1",
      "--json",
      "--filter",
      '{"team":"billing"}',
      "refund",
      "window",
    ]);
    expect(query.stderr).toBe("");
    const hit = JSON.parse(query.stdout).hits[0];
    expect(hit).toMatchObject({ documentId: path.join(dir, "docs/refunds.md"), headingPath: ["Refunds"] });
    const source = fs.readFileSync(path.join(dir, "docs/refunds.md"), "utf8");
    expect(source.slice(hit.start, hit.end)).toBe(hit.text);

    const html = keel(["rag", "query", "--db", db, "--collection", "kb", "--json", "home about passwords"]);
    const texts = JSON.parse(html.stdout)
      .hits.map((h: { text: string }) => h.text)
      .join(" ");
    expect(texts).toContain("Passwords rotate");
    expect(texts).not.toContain("Home | About");
  });

  it("enforces access lists given on the command line", () => {
    const dir = tempDir();
    write(dir, { "hr.txt": "salary bands for engineering roles" });
    const db = path.join(dir, "kb.db");
    const ingest = keel([
      "rag",
      "ingest",
      "--db",
      db,
      "--collection",
      "hr",
      "--acl",
      "--groups",
      "hr",
      "--json",
      path.join(dir, "hr.txt"),
    ]);
    expect(ingest.status).toBe(0);
    const denied = keel([
      "rag",
      "query",
      "--db",
      db,
      "--collection",
      "hr",
      "--json",
      "--principal",
      "eve",
      "salary",
    ]);
    expect(JSON.parse(denied.stdout).hits).toEqual([]);
    const allowed = keel([
      "rag",
      "query",
      "--db",
      db,
      "--collection",
      "hr",
      "--json",
      "--principal",
      "ana",
      "--groups",
      "hr",
      "salary",
    ]);
    expect(JSON.parse(allowed.stdout).hits).toHaveLength(1);
    const anonymous = keel(["rag", "query", "--db", db, "--collection", "hr", "salary"]);
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).toMatch(/PRINCIPAL_REQUIRED/);
  });

  it("rejects a PDF that is not a PDF and leaves the collection as it was", () => {
    const dir = tempDir();
    write(dir, { "good.txt": "a good document", "bad.pdf": "this is plain text pretending" });
    const db = path.join(dir, "kb.db");
    const result = keel([
      "rag",
      "ingest",
      "--db",
      db,
      "--collection",
      "kb",
      path.join(dir, "good.txt"),
      path.join(dir, "bad.pdf"),
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/INVALID_PDF/);
    const query = keel(["rag", "query", "--db", db, "--collection", "kb", "--json", "good document"]);
    expect(JSON.parse(query.stdout).hits).toEqual([]);
  });
});

describe("keel rag query on what is not there", () => {
  it("says the collection is missing instead of failing in SQLite, and creates no file", () => {
    const dir = tempDir();
    const db = path.join(dir, "none.db");
    const result = keel(["rag", "query", "--db", db, "--collection", "kb", "hello"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/NOT_FOUND: No collection "kb"/);
    expect(fs.existsSync(db)).toBe(false);
  });

  it("queries a collection ingested without an embedder without being told again", () => {
    const dir = tempDir();
    write(dir, { "a.txt": "hello world" });
    const db = path.join(dir, "kb.db");
    const args = ["--db", db, "--collection", "kb"];
    expect(keel(["rag", "ingest", ...args, "--embedder", "none", path.join(dir, "a.txt")]).status).toBe(0);
    const query = keel(["rag", "query", ...args, "--json", "hello"]);
    expect(query.stderr).toBe("");
    expect(JSON.parse(query.stdout)).toMatchObject({
      mode: "bm25",
      hits: [{ documentId: path.join(dir, "a.txt") }],
    });
  });
});

describe("several processes writing one file", () => {
  it("all succeed: writers wait for each other instead of failing with SQLITE_BUSY", async () => {
    const dir = tempDir();
    const db = path.join(dir, "kb.db");
    const script = `
      const { openCollection, hashingEmbedder } = await import(${JSON.stringify(path.join(root, "dist/rag/index.js"))});
      const docs = openCollection({ db: process.argv[1], name: "kb", embedder: hashingEmbedder({ dimensions: 64 }) });
      for (let i = 0; i < 40; i++) {
        await docs.query("apple", { k: 3, mode: "bm25" });
        await docs.ingest([{ id: process.argv[2] + i, text: "apple " + process.argv[2] + " " + i, metadata: { n: i } }]);
      }`;
    keel(["rag", "ingest", "--db", db, "--collection", "kb", "--dimensions", "64", seedFile(dir)]);
    const runs = ["a", "b", "c"].map(
      (who) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ["--input-type=module", "-e", script, db, who]);
          let stderr = "";
          child.stderr.on("data", (d) => {
            stderr += d;
          });
          child.on("close", (code) => resolve({ code, stderr }));
        }),
    );
    for (const run of await Promise.all(runs)) expect(run).toEqual({ code: 0, stderr: "" });
  }, 60_000);
});

describe("keel rag eval", () => {
  it("reads a BEIR folder and prints nDCG@10, recall@100, MRR@10, queries and docs as JSON", () => {
    const dir = tempDir();
    write(dir, {
      "corpus.jsonl": [
        { _id: "d1", title: "Aspirin", text: "Aspirin reduces the risk of heart attacks in adults." },
        { _id: "d2", title: "Vitamin D", text: "Vitamin D deficiency is linked to bone fractures." },
        { _id: "d3", title: "Sleep", text: "Short sleep raises blood pressure." },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
      "queries.jsonl": [
        { _id: "q1", text: "aspirin heart attack risk" },
        { _id: "q2", text: "vitamin d and fractures" },
        { _id: "q9", text: "not judged" },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
      "qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n",
    });
    const result = keel(["rag", "eval", "--beir", dir, "--json"]);
    expect(result.stderr).toBe("");
    const figures = JSON.parse(result.stdout);
    expect(figures).toMatchObject({
      "ndcg@10": 1,
      "recall@100": 1,
      "mrr@10": 1,
      queries: 2,
      docs: 3,
      mode: "bm25",
    });
    const hybrid = JSON.parse(keel(["rag", "eval", "--beir", dir, "--mode", "hybrid", "--json"]).stdout);
    expect(hybrid).toMatchObject({ mode: "hybrid", embedder: "keel-hashing-v1:1024", queries: 2 });
  });

  it("says what is missing when the folder is not a BEIR folder", () => {
    const result = keel(["rag", "eval", "--beir", tempDir(), "--json"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/corpus\.jsonl does not exist/);
  });
});
