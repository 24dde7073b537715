#!/usr/bin/env node
// Retrieval: quality and query latency of Keel's BM25 (SQLite FTS5) on SciFact, side by side with
// the JavaScript search engines minisearch 7.2.0 and @orama/orama 3.1.18 on the same corpus and
// queries in the same process; Keel's hybrid search with the offline hashing embedder; and the
// vector index (sqlite-vec) on 100,000 random 384-dimension vectors against exact search.
//
// Run from the repository root after `npm ci && npm run build && npm ci --prefix bench`:
//   node bench/rag/run.mjs [--data DIR] [--quick] [--only=scifact,hybrid,vectors]
// DIR holds retrieval-scifact/beir (default ../shared/data). stdout: one JSON line per measurement;
// progress on stderr.

import { join } from "node:path";
import { openSqlite } from "../../dist/db/index.js";
import {
  evaluateRetrieval,
  hashingEmbedder,
  openCollection,
  readBeir,
  scoreRankings,
} from "../../dist/rag/index.js";
import { ENGLISH_STOPWORDS, words } from "../../dist/rag/text-terms.js";
import { emit, log, median, round } from "../common.mjs";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const dataArg = args.indexOf("--data");
const DATA = dataArg === -1 ? "../shared/data" : args[dataArg + 1];
const ONLY = (args.find((a) => a.startsWith("--only="))?.slice(7) ?? "scifact,hybrid,vectors").split(",");
const ROUNDS = QUICK ? 1 : 5;

/** Median over rounds of the per-round median query time (ms), and the rankings of the last round. */
async function timeQueries(queries, search) {
  const roundMedians = [];
  let rankings;
  for (let r = 0; r < ROUNDS; r++) {
    const times = [];
    rankings = new Map();
    for (const q of queries) {
      const t = process.hrtime.bigint();
      const ids = await search(q.text);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      rankings.set(q.id, ids);
    }
    roundMedians.push(median(times));
  }
  return { ms: median(roundMedians), rounds: roundMedians.map((m) => round(m, 4)), rankings };
}

// ---------------------------------------------------------------- SciFact: BM25 vs minisearch vs Orama
if (ONLY.includes("scifact")) {
  const data = readBeir(join(DATA, "retrieval-scifact/beir"));
  log(`scifact: ${data.docs.length} docs, ${data.queries.length} test queries`);
  const docs = data.docs.map((d) => ({ id: d.id, title: d.title, text: d.text }));
  const results = {};

  // Keel: a collection on a SQLite file, BM25 only (no embedder), as a user would build it.
  {
    const db = openSqlite(":memory:");
    const collection = openCollection({ db, name: "scifact" });
    const t0 = performance.now();
    await collection.ingest(
      docs.map((d) => ({ id: d.id, text: d.title ? `${d.title}\n\n${d.text}` : d.text })),
    );
    const ingestMs = performance.now() - t0;
    const run = await timeQueries(data.queries, async (q) =>
      // A document may have several chunks: its rank is its best chunk's.
      [...new Set((await collection.query(q, { k: 10, mode: "bm25" })).hits.map((h) => h.documentId))],
    );
    results.keel = { ...run, ingestMs };
  }

  // minisearch: title and text fields, the same words and stopwords as Keel (it has no stemmer).
  const { default: MiniSearch } = await import("minisearch");
  {
    const processTerm = (term) => {
      const w = term.toLowerCase();
      return ENGLISH_STOPWORDS.has(w) ? null : w;
    };
    const mini = new MiniSearch({
      fields: ["title", "text"],
      storeFields: [],
      processTerm,
      tokenize: (s) => words(s),
    });
    const t0 = performance.now();
    mini.addAll(docs);
    const ingestMs = performance.now() - t0;
    const run = await timeQueries(data.queries, async (q) =>
      mini
        .search(q)
        .slice(0, 10)
        .map((r) => r.id),
    );
    results.minisearch = { ...run, ingestMs };
  }

  // Orama: English stemming and the same stop words; any term may match (threshold 1), no typo
  // tolerance. Its other settings tried on the train queries score the same or lower.
  const { create, insertMultiple, search } = await import("@orama/orama");
  {
    const orama = create({
      schema: { id: "string", title: "string", text: "string" },
      components: { tokenizer: { language: "english", stemming: true, stopWords: [...ENGLISH_STOPWORDS] } },
    });
    const t0 = performance.now();
    await insertMultiple(orama, docs, 1000);
    const ingestMs = performance.now() - t0;
    const run = await timeQueries(data.queries, async (q) => {
      const r = await search(orama, {
        term: q,
        properties: ["title", "text"],
        limit: 10,
        threshold: 1,
        tolerance: 0,
      });
      return r.hits.map((h) => h.document.id);
    });
    results.orama = { ...run, ingestMs };
  }

  for (const [engine, r] of Object.entries(results)) {
    const scores = scoreRankings(r.rankings, data.qrels);
    emit({
      bench: "rag-scifact-bm25",
      engine,
      "ndcg@10": round(scores["ndcg@10"]),
      "mrr@10": round(scores["mrr@10"]),
      queries: scores.queries,
      queryMsMedian: round(r.ms),
      roundMedians: r.rounds,
      ingestMs: round(r.ingestMs, 0),
    });
  }
  emit({
    bench: "rag-scifact-bm25-ratio",
    "minisearch/keel": round(results.minisearch.ms / results.keel.ms, 2),
    "orama/keel": round(results.orama.ms / results.keel.ms, 2),
  });
}

// ---------------------------------------------------------------- SciFact: hybrid with the hashing embedder
if (ONLY.includes("hybrid")) {
  const data = readBeir(join(DATA, "retrieval-scifact/beir"));
  for (const mode of ["bm25", "vector", "hybrid"]) {
    const embedder = mode === "bm25" ? undefined : hashingEmbedder();
    const r = await evaluateRetrieval(data, { mode, embedder });
    emit({
      bench: "rag-scifact-modes",
      mode,
      embedder: embedder?.id ?? null,
      "ndcg@10": round(r["ndcg@10"]),
      "recall@100": round(r["recall@100"]),
      "mrr@10": round(r["mrr@10"]),
      queryMsP50: round(r.latencyMs.p50),
    });
  }
}

// ---------------------------------------------------------------- vectors: 100k x 384 against exact search
if (ONLY.includes("vectors")) {
  const N = QUICK ? 20_000 : 100_000;
  const DIM = 384;
  const QUERIES = 100;
  // A seeded generator, so every run measures the same vectors.
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32 - 0.5;
  };
  const unit = () => {
    const v = new Float32Array(DIM);
    let n = 0;
    for (let i = 0; i < DIM; i++) {
      v[i] = random();
      n += v[i] * v[i];
    }
    for (let i = 0; i < DIM; i++) v[i] /= Math.sqrt(n);
    return v;
  };
  const base = Array.from({ length: N }, unit);
  const queries = Array.from({ length: QUERIES }, unit);
  // The collection's embedder maps "v<i>" and "q<i>" to the generated vectors.
  const lookup = {
    id: "bench-random-384",
    dimensions: DIM,
    async embed(texts) {
      return texts.map((t) => (t[0] === "q" ? queries : base)[Number(t.slice(1))]);
    },
  };
  const db = openSqlite(":memory:");
  const collection = openCollection({ db, name: "vectors", embedder: lookup });
  log(`vectors: ingesting ${N} x ${DIM}`);
  const t0 = performance.now();
  for (let i = 0; i < N; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++)
      batch.push({ id: String(j), text: `v${j}`, metadata: { shard: j % 10 } });
    await collection.ingest(batch);
  }
  const ingestMs = performance.now() - t0;
  const exactTop = (q, keep) => {
    const scored = [];
    for (let i = 0; i < N; i++) {
      if (keep && !keep(i)) continue;
      const v = base[i];
      let s = 0;
      for (let d = 0; d < DIM; d++) s += q[d] * v[d];
      scored.push([i, s]);
    }
    return scored
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([i]) => String(i));
  };
  for (const filtered of [false, true]) {
    let recall = 0;
    const times = [];
    for (let r = 0; r < (QUICK ? 1 : 3); r++) {
      for (let qi = 0; qi < QUERIES; qi++) {
        const t = process.hrtime.bigint();
        const { hits } = await collection.query(`q${qi}`, {
          k: 10,
          mode: "vector",
          ...(filtered ? { filter: { shard: 3 } } : {}),
        });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (r === 0) {
          const truth = new Set(exactTop(queries[qi], filtered ? (i) => i % 10 === 3 : undefined));
          recall += hits.filter((h) => truth.has(h.documentId)).length / 10;
        }
      }
    }
    emit({
      bench: "rag-vectors",
      vectors: N,
      dimensions: DIM,
      filter: filtered ? "10% of rows" : null,
      "recall@10": round(recall / QUERIES),
      queryMsMedian: round(median(times), 2),
      ingestMs: round(ingestMs, 0),
    });
  }
}
