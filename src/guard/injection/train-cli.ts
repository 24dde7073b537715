#!/usr/bin/env node
/**
 * `node dist/guard/injection/train-cli.js --data DIR --out FILE`: trains the injection classifier on
 * the `injection-*-train.jsonl` files of DIR (the keel-format data folder) plus the hard negatives
 * written for this repo (prompts in hard-negatives.ts, documents in hard-negatives-retrieved.ts), and
 * writes the weights file. Prints the cross-validation figures. Run through `npm run train:guard`.
 * The held-out fixture benign-retrieved.ts is never read here: it measures, it does not train.
 */
import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readInjectionRows } from "../data.js";
import { fingerprint } from "./dataset.js";
import { HARD_NEGATIVES } from "./hard-negatives.js";
import { RETRIEVED_HARD_NEGATIVES } from "./hard-negatives-retrieved.js";
import type { DataFingerprint } from "./model.js";
import { serializeWeights, type TrainingRow, trainInjectionModel } from "./train.js";

/** The training files and the head each one trains. Evaluation files are never read here. */
const TRAINING_FILES = [
  { file: "injection-deepset-train.jsonl", source: "input" },
  { file: "injection-jailbreak-train.jsonl", source: "input" },
  { file: "injection-bipia-email-train.jsonl", source: "retrieved" },
] as const;

/** Hand-written negatives: prompts for the direct heads, documents for the indirect head. */
const HAND_WRITTEN = [
  { file: "hard-negatives.ts", texts: HARD_NEGATIVES, source: "input" },
  { file: "hard-negatives-retrieved.ts", texts: RETRIEVED_HARD_NEGATIVES, source: "retrieved" },
] as const;
const SEED = 20240601;
/**
 * Deepset's short attacks count double in the direct and short heads: jailbreak-train has three
 * times the rows, and its benign role-play prompts pull the other way. Chosen by CV (README.md).
 */
const FILE_WEIGHTS = { "injection-deepset-train.jsonl": 2 };

function fail(message: string): never {
  console.error(`train-cli: ${message}`);
  process.exit(2);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      misses: { type: "string" },
    },
  });
  if (!values.data || !values.out)
    fail("usage: train-cli --data DIR --out FILE [--seed N] [--misses FILE] (DIR: the keel-format folder)");
  const rows: TrainingRow[] = [];
  const data: DataFingerprint[] = [];
  for (const { file, source } of TRAINING_FILES) {
    const path = join(values.data, file);
    if (!existsSync(path)) fail(`${path} not found; pass --data the keel-format folder (or set KEEL_DATA).`);
    const labelled = readInjectionRows(path);
    data.push(fingerprint(path, labelled));
    for (const r of labelled) rows.push({ ...r, source, file });
  }
  for (const { file, texts, source } of HAND_WRITTEN) {
    for (const text of texts) rows.push({ text, label: 0, source, file });
    data.push({
      file,
      sha256: createHash("sha256").update(JSON.stringify(texts)).digest("hex"),
      rows: texts.length,
      positives: 0,
    });
  }
  const seed = values.seed === undefined ? SEED : Number(values.seed);
  if (!Number.isInteger(seed)) fail(`--seed must be an integer, got "${values.seed}".`);
  const started = performance.now();
  const { weights, cv, oof } = trainInjectionModel(rows, { seed, data, fileWeights: FILE_WEIGHTS });
  const text = serializeWeights(weights);
  writeFileSync(values.out, text);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`wrote ${values.out} (${Math.round(text.length / 1024)} KB) in ${seconds} s`);
  const { input, short, indirect } = weights.thresholds;
  console.log(
    `thresholds: input ${input} (under ${weights.shortPromptChars} chars: ${short}), retrieved/tool ${indirect}`,
  );
  console.log("5-fold cross-validation on the training files (out-of-fold, at those thresholds):");
  for (const [file, f] of Object.entries(cv)) {
    console.log(`  ${file}: n=${f.n} precision=${f.precision} recall=${f.recall} f1=${f.f1} fpr=${f.fpr}`);
  }

  // `--misses FILE`: the out-of-fold errors (training rows only), one JSON object a line.
  if (values.misses) {
    const wrong = oof.filter((r) => r.score >= r.threshold !== (r.label === 1));
    writeFileSync(values.misses, wrong.map((r) => JSON.stringify(r)).join("\n") + (wrong.length ? "\n" : ""));
    console.log(`wrote ${wrong.length} out-of-fold errors to ${values.misses}`);
  }
}

main();
