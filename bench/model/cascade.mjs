#!/usr/bin/env node
// A scripted cascade scenario: questions with a known answer, a small model that gets most of them
// right and a large one (priced 20x) that gets all of them right, both served by Keel's mock
// OpenAI-compatible server on loopback. Compares cascade([small, large]) with always using the large
// model: total cost (from the price table), the small model's acceptance rate, final accuracy.
//
// Run from the repository root after `npm ci && npm run build`:
//   node bench/model/cascade.mjs [--requests N]
// stdout: one JSON line. Deterministic: the same figures on every run.

import { z } from "zod";
import { cascade, costOf, defaultPrices, generateObject, openaiCompatible } from "../../dist/index.js";
import { startMockLLM } from "../../dist/testkit/index.js";

const flag = process.argv.indexOf("--requests");
const REQUESTS = flag > 0 ? Number(process.argv[flag + 1]) : 200;

/** FNV-1a, so which questions the small model gets wrong is fixed by their text, not by chance. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const questions = Array.from({ length: REQUESTS }, (_, i) => {
  const a = 17 + ((i * 37) % 900);
  const b = 3 + ((i * 11) % 97);
  return { text: `What is ${a} + ${b}? Reply with the number only.`, correct: a + b };
});
const truth = new Map(questions.map((q) => [q.text, q.correct]));

// The small model: right on 80% of questions, a wrong number on 10%, prose that fails the schema on
// 10%, chosen by rank of the question's hash. The large model: always right.
const byHash = [...truth.keys()].sort((x, y) => hash(x) - hash(y) || (x < y ? -1 : 1));
const kinds = new Map(
  byHash.map((q, rank) => [
    q,
    rank < 0.8 * REQUESTS ? "correct" : rank < 0.9 * REQUESTS ? "wrong" : "invalid",
  ]),
);
const smallKind = (question) => kinds.get(question);
const mock = await startMockLLM({
  script: (request) => {
    const question = request.messages.at(-1).content;
    const correct = truth.get(question);
    if (request.model === "mock-large") return { json: { answer: correct } };
    const kind = smallKind(question);
    if (kind === "correct") return { json: { answer: correct } };
    if (kind === "wrong") return { json: { answer: correct + 1 } };
    return { text: `I believe the answer is about ${correct}.` };
  },
});

const provider = openaiCompatible({ baseURL: mock.url, apiKey: "bench" });
const small = { provider, model: "mock-small" };
const large = { provider, model: "mock-large" };
const schema = z.object({ answer: z.number() });
const ask = (q) => [
  { role: "system", content: "You are a careful calculator. Answer as JSON." },
  { role: "user", content: q.text },
];

const arms = {
  cascade: { costUsd: 0, correct: 0, calls: 0, smallAccepted: 0 },
  alwaysLarge: { costUsd: 0, correct: 0, calls: 0 },
};

for (const q of questions) {
  // `accept` stands in for a validator that knows a good answer when it sees one.
  const chain = cascade([small, large], { schema, accept: ({ answer }) => answer.answer === q.correct });
  const result = await chain.generate({ messages: ask(q) });
  arms.cascade.costUsd += result.costUsd;
  arms.cascade.calls += result.tried.length;
  if (result.tried[0].accepted) arms.cascade.smallAccepted++;
  if (result.answer.answer === q.correct) arms.cascade.correct++;
}

for (const q of questions) {
  const result = await generateObject({ model: provider, modelName: "mock-large", schema, messages: ask(q) });
  arms.alwaysLarge.costUsd += costOf("mock-large", result.usage).costUsd;
  arms.alwaysLarge.calls += result.attempts.length;
  if (result.object.answer === q.correct) arms.alwaysLarge.correct++;
}
await mock.close();

const outcomes = { correct: 0, wrong: 0, invalid: 0 };
for (const q of questions) outcomes[smallKind(q.text)]++;
const usd = (x) => +x.toFixed(8);
process.stdout.write(
  `${JSON.stringify({
    workload: "model-cascade",
    requests: REQUESTS,
    price_table: defaultPrices.version,
    small_outcomes: outcomes,
    small_acceptance_rate: arms.cascade.smallAccepted / REQUESTS,
    cascade: {
      cost_usd: usd(arms.cascade.costUsd),
      accuracy: arms.cascade.correct / REQUESTS,
      calls: arms.cascade.calls,
    },
    always_large: {
      cost_usd: usd(arms.alwaysLarge.costUsd),
      accuracy: arms.alwaysLarge.correct / REQUESTS,
      calls: arms.alwaysLarge.calls,
    },
    cost_ratio: +(arms.cascade.costUsd / arms.alwaysLarge.costUsd).toFixed(4),
  })}\n`,
);
