/**
 * Readers for IR test collections, read where they lie (they are never copied into the repo):
 * BEIR's folder format and the original Cranfield SMART files. Every problem names the file and line.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { KeelError } from "../../errors/index.js";
import type { Qrels } from "./metrics.js";

export interface IrDataset {
  name: string;
  docs: Array<{ id: string; title: string; text: string }>;
  queries: Array<{ id: string; text: string }>;
  qrels: Qrels;
}

function invalid(message: string): KeelError {
  return new KeelError("INVALID_DATA", message);
}

function read(file: string): string {
  if (!existsSync(file)) throw invalid(`${file} does not exist.`);
  return readFileSync(file, "utf8");
}

function jsonLines(file: string): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  read(file)
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw new Error("not an object");
        rows.push(value as Record<string, unknown>);
      } catch (error) {
        throw invalid(`Line ${i + 1} of ${file} is not a JSON object (${(error as Error).message}).`);
      }
    });
  return rows;
}

function idOf(row: Record<string, unknown>, file: string, n: number): string {
  const id = row._id;
  if (typeof id !== "string" && typeof id !== "number")
    throw invalid(`Record ${n + 1} of ${file} has no "_id".`);
  return String(id);
}

/**
 * A BEIR folder: `corpus.jsonl` (`{_id, title, text}`), `queries.jsonl` (`{_id, text}`) and
 * `qrels/<split>.tsv` (`query-id corpus-id score`, with a header line). Only queries judged in the
 * split are kept.
 */
export function readBeir(dir: string, split = "test"): IrDataset {
  const corpusFile = path.join(dir, "corpus.jsonl");
  const docs = jsonLines(corpusFile).map((row, n) => ({
    id: idOf(row, corpusFile, n),
    title: typeof row.title === "string" ? row.title : "",
    text: typeof row.text === "string" ? row.text : "",
  }));
  const qrelsFile = path.join(dir, "qrels", `${split}.tsv`);
  const qrels: Qrels = new Map();
  read(qrelsFile)
    .split("\n")
    .forEach((line, i) => {
      const cells = line.trim().split("\t");
      if (line.trim() === "" || (i === 0 && !/^-?\d+$/.test(cells[2] ?? ""))) return;
      const [query, doc, score] = cells;
      const grade = Number(score);
      if (!query || !doc || !Number.isInteger(grade)) {
        throw invalid(`Line ${i + 1} of ${qrelsFile} should be "query-id<TAB>corpus-id<TAB>score".`);
      }
      if (!qrels.has(query)) qrels.set(query, new Map());
      qrels.get(query)?.set(doc, grade);
    });
  const queriesFile = path.join(dir, "queries.jsonl");
  const queries = jsonLines(queriesFile)
    .map((row, n) => ({ id: idOf(row, queriesFile, n), text: typeof row.text === "string" ? row.text : "" }))
    .filter((q) => qrels.has(q.id));
  const missing = [...qrels.keys()].filter((id) => !queries.some((q) => q.id === id));
  if (missing.length > 0)
    throw invalid(
      `${qrelsFile} judges queries missing from ${queriesFile}: ${missing.slice(0, 5).join(", ")}.`,
    );
  return { name: path.basename(path.resolve(dir)), docs, queries, qrels };
}

/** SMART records: `.I n` starts one, `.X` starts field X; a repeated field is appended to. */
function smartRecords(file: string): Array<{ id: string; fields: Record<string, string> }> {
  const records: Array<{ id: string; fields: Record<string, string> }> = [];
  let field = "";
  for (const line of read(file).split(/\r?\n/)) {
    const marker = /^\.([A-Z])(?:\s+(\S+))?\s*$/.exec(line);
    if (marker?.[1] === "I") {
      records.push({ id: marker[2] ?? String(records.length + 1), fields: {} });
      field = "";
    } else if (marker) {
      field = marker[1] as string;
    } else if (records.length > 0 && field) {
      const fields = (records.at(-1) as (typeof records)[number]).fields;
      fields[field] = fields[field] ? `${fields[field]}\n${line}` : line;
    }
  }
  return records;
}

/**
 * The Cranfield collection in its SMART files (`cran.all.1400`, `cran.qry`, `cranqrel`). Judgments
 * number queries 1..225 in file order (not by their `.I`); grades 1 (complete answer) to 4 (minimum
 * interest) become gains 4 to 1, and the unexplained `-1` rows are dropped.
 */
export function readCranfield(dir: string): IrDataset {
  const docs = smartRecords(path.join(dir, "cran.all.1400")).map((r) => ({
    id: r.id,
    title: (r.fields.T ?? "").trim(),
    // The abstract starts by repeating the title; an empty abstract leaves the title alone.
    text: (r.fields.W ?? "").trim() || (r.fields.T ?? "").trim(),
  }));
  const queries = smartRecords(path.join(dir, "cran.qry")).map((r, i) => ({
    id: String(i + 1),
    text: (r.fields.W ?? "").replace(/\s+/g, " ").trim(),
  }));
  const qrelsFile = path.join(dir, "cranqrel");
  const qrels: Qrels = new Map();
  read(qrelsFile)
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const [query, doc, code] = line.trim().split(/\s+/);
      const grade = Number(code);
      if (!query || !doc || !Number.isInteger(grade))
        throw invalid(`Line ${i + 1} of ${qrelsFile} should be "query doc code".`);
      if (grade < 1 || grade > 4) return;
      if (!qrels.has(query)) qrels.set(query, new Map());
      qrels.get(query)?.set(doc, 5 - grade);
    });
  return { name: "cranfield", docs, queries, qrels };
}

/** Picks the reader by what the folder holds. */
export function readIrDataset(dir: string): IrDataset {
  if (existsSync(path.join(dir, "corpus.jsonl"))) return readBeir(dir);
  if (existsSync(path.join(dir, "cran.all.1400"))) return readCranfield(dir);
  throw invalid(
    `${dir} holds neither a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) nor the Cranfield files (cran.all.1400, cran.qry, cranqrel).`,
  );
}
