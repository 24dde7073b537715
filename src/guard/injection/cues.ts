/**
 * Cue features of the indirect head: a few classes of phrasing, each one feature, that tell an
 * instruction to the AI answering with a document from a sentence written for the person reading
 * it. The hashed n-grams see "your reply" and "your code" as unrelated words, and "explain
 * recursion" as words about recursion; a cue pools the whole class, so what the head learns from
 * "add X to your reply" carries over to "weave X into your code", and from one planted trivia
 * question to the next.
 *
 * - your-output: the AI's own product in the second person ("your answer", "your reply", "your
 *   code"): what an injection wants changed. A reader is rarely told what to put in "your answer".
 * - question: the segment is a question standing alone ("What is the capital of Brazil?").
 * - task-verb: the segment opens with a task for a writer or an explainer ("write", "explain",
 *   "translate", "summarise"), not the click-and-contact verbs of a help page.
 * - impersonal: no first or second person at all. A help-centre question or instruction is about the
 *   reader's case ("How do I...", "your order", "contact us"); a planted task is about nothing of
 *   the kind.
 * - service: the vocabulary of a product or a service (orders, delivery, plans, payments, the app,
 *   the account): what help-centre and FAQ text is about, and what a planted trivia question or
 *   writing task is not. It is what lets an FAQ heading ("How long does delivery take?") stay
 *   apart from a planted question ("How do solar panels work?").
 *
 * Pairs of cues present together are features too (features.ts): a linear head cannot AND them,
 * and "an impersonal question" is the signal, not "a question" or "impersonal" alone. Chosen by
 * cross-validation on the training data (README.md), which kept these five of ten candidates.
 *
 * Run on a folded segment (lowercase, one space between words). Every pattern is linear: anchored or
 * bounded, over classes disjoint from what follows.
 */

export interface Cue {
  name: string;
  pattern: RegExp;
}

export const CUES: readonly Cue[] = [
  {
    name: "your-output",
    pattern:
      /\byour (?:[a-z]{1,12} ){0,2}(?:answers?|responses?|repl(?:y|ies)|outputs?|summar(?:y|ies)|code|codebase|solutions?|implementations?|algorithms?|programs?|scripts?|completions?|messages?|translations?|writing|elucidation)\b/,
  },
  {
    name: "question",
    pattern:
      /^[^a-z]{0,3}(?:what|who|how|why|when|where|which|can you|could you)\b[^\n]{0,320}\?[^a-z]{0,3}$/,
  },
  {
    name: "task-verb",
    pattern:
      /^[^a-z]{0,3}(?:write|draft|compose|describe|explain|develop|translate|summari[sz]e|generate|create|list|outline|break down|define|compare|analy[sz]e|discuss|provide|give me|tell me|show me|suggest|recommend|calculate|solve)\b/,
  },
  { name: "impersonal", pattern: /^(?:(?!\b(?:i|me|my|we|us|our|you|your)\b)[^\n])*$/ },
  {
    name: "service",
    pattern:
      /\b(?:orders?|deliver(?:y|ies)|shipping|parcels?|accounts?|plans?|subscriptions?|prices?|costs?|fees?|payments?|refunds?|returns?|warranty|app|apps|stores?|shops?|bookings?|tickets?|licen[cs]es?|invoices?|cards?|devices?|battery|passwords?|sign-in|login|courses?|rooms?|venue|flights?|checkout|discounts?|members?|membership|customers?|staff|office|site|website|page|data|settings|version|products?|items?|trial|support|service)\b/,
  },
];

/** Salt that keeps cue buckets apart from the n-gram and length buckets. */
export const CUE_BASIS = 0x3c0e5a11;
