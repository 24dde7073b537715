import { estimateUsage } from "./tokens.js";
import type { Message, ModelRequest, ModelResponse, Provider, StreamPart } from "./types.js";

export interface ExtractiveOptions {
  /** Sentences in an answer at most (default 3). */
  maxSentences?: number;
}

/** The model id says what it is: sentences picked from the context, not generated text. */
export const EXTRACTIVE_MODEL =
  "keel-extractive-1 (offline; answers with sentences from the given context, not an LLM)";

const NO_ANSWER = "The provided context does not answer this question.";

/**
 * An offline, deterministic "model" for machines without a model: it answers the last user message
 * with the context sentences (system, tool and earlier messages) that share the most informative
 * words with it, best first. No network, no weights; the same request always gets the same answer.
 */
export function extractive(options: ExtractiveOptions = {}): Provider {
  const maxSentences = options.maxSentences ?? 3;
  const generate = async (request: ModelRequest): Promise<ModelResponse> => {
    const { question, context } = split(request.messages);
    const picked = rank(question, context).slice(0, maxSentences);
    const text = picked.length ? picked.join(" ") : NO_ANSWER;
    return {
      text,
      toolCalls: [],
      finishReason: "stop",
      usage: estimateUsage(request.messages, text),
      model: EXTRACTIVE_MODEL,
      provider: "extractive",
    };
  };
  return {
    id: "extractive",
    capabilities: { tools: false, jsonSchema: false, images: false, streaming: true },
    generate: (request, callOptions) => {
      if (callOptions?.signal?.aborted) return Promise.reject(callOptions.signal.reason);
      return generate(request);
    },
    async *stream(request, callOptions): AsyncGenerator<StreamPart> {
      const response = await generate(request);
      for (const piece of response.text.match(/\S+\s*/g) ?? []) {
        if (callOptions?.signal?.aborted) throw callOptions.signal.reason;
        yield { type: "text-delta", text: piece };
      }
      yield { type: "finish", response };
    },
  };
}

function textOf(m: Message): string {
  if (typeof m.content === "string") return m.content;
  return m.content
    .filter((p) => p.type === "text")
    .map((p) => p.text)
    .join("\n");
}

function split(messages: Message[]): { question: string; context: string[] } {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") {
      last = i;
      break;
    }
  }
  const question = last >= 0 ? textOf(messages[last]!) : "";
  const context = messages.filter((_, i) => i !== last && messages[i]!.role !== "assistant").map(textOf);
  return { question, context };
}

const sentences = new Intl.Segmenter("en", { granularity: "sentence" });
const words = new Intl.Segmenter("en", { granularity: "word" });
const STOPWORDS = new Set(
  "a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of on or our so that the their them then there these they this to was we were what when where which who why will with you your".split(
    " ",
  ),
);

function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words.segment(text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase())) {
    if (!w.isWordLike || STOPWORDS.has(w.segment)) continue;
    // A light plural fold, so "refunds" meets "refund".
    out.push(
      w.segment.length > 3 && w.segment.endsWith("s") && !w.segment.endsWith("ss")
        ? w.segment.slice(0, -1)
        : w.segment,
    );
  }
  return out;
}

/** Context sentences scored by the idf of the question words they contain (BM25-style saturation). */
function rank(question: string, context: string[]): string[] {
  const all = context.flatMap((c) => [...sentences.segment(c)].map((s) => s.segment.trim()).filter(Boolean));
  const unique = [...new Set(all)];
  const docs = unique.map((s) => terms(s));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const query = new Set(terms(question));
  const n = docs.length;
  const avgLen = docs.reduce((a, d) => a + d.length, 0) / Math.max(1, n);
  const scored = docs.map((d, i) => {
    let score = 0;
    for (const t of query) {
      const tf = d.filter((x) => x === t).length;
      if (!tf) continue;
      const idf = Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * d.length) / Math.max(1, avgLen)));
    }
    return { i, score };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((s) => unique[s.i]!);
}
