/**
 * The support-desk workflow: a question goes through the input guard, is classified, retrieves the
 * documentation pages the asker may read (access lists enforced inside the query, injected chunks
 * withheld), is answered with exact citations as a schema-checked object, and the answer goes
 * through the output guard. Every step's result is in the graph's state, checkpointed.
 *
 * ```
 * START → check-input ─┬─► classify → retrieve → answer → check-output → END
 *                      └─► refuse → END            (an injection attempt in the question)
 * ```
 */
import { type CompiledGraph, END, graph, START } from "keel/graph";
import { type Guard, strictest, type Verdict } from "keel/guard";
import { EXTRACTIVE_MODEL } from "keel/model";
import type { Hit } from "keel/rag";
// `keel/server` once package.json exports it; a type-only import, so nothing is loaded from here.
import type { WorkflowDefinition, WorkflowDeps } from "keel/server";
import { z } from "zod";
import {
  extractiveAnswer,
  modelAnswer,
  type Source,
  Source as SourceSchema,
  SupportAnswer,
} from "./answer.js";
import { CATEGORIES, classify, hintedQuery } from "./classify.js";
import { supportDeskGuard } from "./guard.js";

/** What a client sends to start a run. */
export const SupportDeskInput = z.object({
  question: z.string().trim().min(1).max(2000),
  user: z.object({
    id: z.string().min(1),
    /**
     * Groups the user belongs to; "everyone" is added. Staff-only pages need "staff". The caller is
     * trusted to say who the user is: a deployment derives this from its own authentication.
     */
    groups: z.array(z.string().min(1)).default([]),
  }),
});

const ACTIONS = ["allow", "flag", "redact", "block"] as const;

/** A guard verdict as recorded in state: no text, only what was found where and what was done. */
const GuardNote = z.object({
  action: z.enum(ACTIONS),
  findings: z.array(
    z.object({ type: z.string(), action: z.enum(ACTIONS), score: z.number(), where: z.string() }),
  ),
});
type GuardNote = z.infer<typeof GuardNote>;

export const SupportDeskState = SupportDeskInput.extend({
  /**
   * The tenant whose copy of `docs` is searched, when the graph is invoked directly. Not part of the
   * client's input: under the runs API it is left out and `deps.collection` opens the run's own
   * tenant's copy (the tenant of the caller's key), refusing any other.
   */
  tenant: z.string().min(1).optional(),
  /** The question as a model may see it: personal data replaced with placeholders. */
  promptQuestion: z.string().default(""),
  inputGuard: GuardNote.nullable().default(null),
  category: z.enum(CATEGORIES).default("other"),
  /** The classifier rules that matched, for explaining the label. */
  matched: z.array(z.string()).default([]),
  /** What was sent to retrieval: the question plus the category's hint word. */
  query: z.string().default(""),
  sources: z.array(SourceSchema).default([]),
  /** Chunks the retrieved-text guard kept from the model (prompt injection). */
  withheld: z
    .array(z.object({ documentId: z.string(), chunkIndex: z.number().int(), findings: z.array(z.string()) }))
    .default([]),
  answer: SupportAnswer.nullable().default(null),
  outputGuard: GuardNote.nullable().default(null),
  /** The model that answered. */
  model: z.string().default(""),
});
export type SupportDeskState = z.infer<typeof SupportDeskState>;

/** Chunks retrieved per question. */
const K = 5;

export const REFUSAL = "I can't help with that request. Please ask a question about Tidewater.";
export const WITHHELD = "The answer was withheld by the output guard. Please contact support.";

export function buildSupportDesk(deps: WorkflowDeps): CompiledGraph<SupportDeskState> {
  const guard = supportDeskGuard();
  const { provider, model } = deps.model();
  const canWriteJson = provider.id !== "extractive" && model !== EXTRACTIVE_MODEL;
  // Inside a server run, deps.collection takes the run's tenant when given none.
  const openDocs = (tenant: string | undefined) => deps.collection("docs", tenant);

  return graph({ state: SupportDeskState })
    .node("check-input", (s) => {
      const verdict = guard.scan(s.question, { source: "input" });
      return { inputGuard: note(verdict, "question"), promptQuestion: verdict.text ?? "" };
    })
    .node("refuse", () => ({
      answer: { answer: REFUSAL, citations: [], category: "other" as const, confidence: "low" as const },
    }))
    .node("classify", (s) => classify(s.question))
    .node("retrieve", async (s, ctx) => {
      const query = hintedQuery(s.question, s.category);
      const { hits } = await openDocs(s.tenant).query(query, {
        k: K,
        principal: { id: s.user.id, groups: [...new Set([...s.user.groups, "everyone"])] },
        signal: ctx.signal,
      });
      return { query, ...screen(guard, hits) };
    })
    .node("answer", async (s, ctx) => {
      const input = {
        question: s.promptQuestion,
        category: s.category,
        sources: s.sources,
        provider,
        model,
        signal: ctx.signal,
      };
      const answer = canWriteJson ? await modelAnswer(input) : await extractiveAnswer(input);
      return { answer: SupportAnswer.parse(answer), model };
    })
    .node("check-output", (s) => checkOutput(guard, s.answer!))
    .edge(START, "check-input")
    .branch("check-input", (s) => (s.inputGuard?.action === "block" ? "refuse" : "classify"), {
      paths: ["refuse", "classify"],
    })
    .edge("refuse", END)
    .edge("classify", "retrieve")
    .edge("retrieve", "answer")
    .edge("answer", "check-output")
    .edge("check-output", END)
    .compile({ checkpointer: deps.checkpointer });
}

/** Each hit scanned as retrieved text: blocked ones are withheld (named, never shown), the rest kept. */
function screen(guard: Guard, hits: Hit[]): Pick<SupportDeskState, "sources" | "withheld"> {
  const sources: Source[] = [];
  const withheld: SupportDeskState["withheld"] = [];
  for (const hit of hits) {
    const verdict = guard.scan(hit.text, { source: "retrieved" });
    if (verdict.text === null) {
      const blocking = verdict.findings.filter((f) => f.action === "block").map((f) => f.type);
      withheld.push({
        documentId: hit.documentId,
        chunkIndex: hit.chunkIndex,
        findings: [...new Set(blocking)],
      });
    } else {
      sources.push(toSource(hit, verdict.text));
    }
  }
  return { sources, withheld };
}

function toSource(hit: Hit, text: string): Source {
  const title = hit.metadata.title;
  return {
    documentId: hit.documentId,
    chunkIndex: hit.chunkIndex,
    title: typeof title === "string" && title ? title : hit.documentId,
    headingPath: hit.headingPath,
    text,
    score: hit.score,
  };
}

/**
 * The answer and each quote scanned as model output; the strictest action applies to the whole
 * answer (a block withholds it, a redaction rewrites what it found), and the verdict is recorded.
 */
function checkOutput(guard: Guard, answer: SupportAnswer): Pick<SupportDeskState, "answer" | "outputGuard"> {
  const answerVerdict = guard.scan(answer.answer, { source: "output" });
  const quoteVerdicts = answer.citations.map((c) => guard.scan(c.quote, { source: "output" }));
  const notes = [note(answerVerdict, "answer"), ...quoteVerdicts.map((v, i) => note(v, `citations[${i}]`))];
  const outputGuard: GuardNote = {
    action: strictest(notes.map((n) => n.action)),
    findings: notes.flatMap((n) => n.findings),
  };
  if (outputGuard.action === "block") {
    return {
      outputGuard,
      answer: { answer: WITHHELD, citations: [], category: answer.category, confidence: "low" },
    };
  }
  if (outputGuard.action !== "redact") return { outputGuard, answer };
  return {
    outputGuard,
    answer: {
      ...answer,
      answer: answerVerdict.text!,
      citations: answer.citations.map((c, i) => ({ ...c, quote: quoteVerdicts[i]!.text! })),
    },
  };
}

function note(verdict: Verdict, where: string): GuardNote {
  return {
    action: verdict.action,
    findings: verdict.findings.map((f) => ({ type: f.type, action: f.action, score: f.score, where })),
  };
}

/** The workflow as the server runs it: `POST /runs` with `{ question, user }`. */
export const supportDesk: WorkflowDefinition = {
  description:
    "Answers a question about Tidewater from its documentation, with citations, respecting who may read which page.",
  input: SupportDeskInput,
  graph: buildSupportDesk,
};
