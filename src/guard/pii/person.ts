import type { Finding } from "../types.js";
import { foldKey, getLexicon, type Lexicon } from "./lexicon.js";
import {
  ADDRESS_AFTER,
  inAddress,
  introducesName,
  isHonorific,
  PARTICLE_GAP,
  SPEAKER_AFTER,
  SPEECH_AFTER,
} from "./person-context.js";

/**
 * Person names without a model: capitalised tokens are grouped into chains ("Anna K. van Dijk"), and
 * a chain is a name when something says so: an honorific before it, a known first name at its
 * start, a middle initial, a context phrase ("my name is", "Dear", "my sister"), a speech verb after
 * it, or a known surname at its end. A chain holding an everyday word ("Acme Holding Group",
 * "Riverside Tennis Club") is not a name. Two passes then extend what was found: a later mention
 * of a found name's part ("Pennefeather" after "Yorick Pennefeather") and a list of names ("Anna,
 * Bo and Cy") are names too.
 * Lower-case sentences ("my friend ola nordmann") are read with the lexicon alone.
 *
 * Why not compromise's NLP pass: ~13 ms per KB here, against a budget of well under 0.1 ms.
 */
export function findPersons(text: string): Finding[] {
  if (text.length === 0) return [];
  const lex = getLexicon();
  const chains = buildChains(text, lex);
  for (const chain of chains) chain.score = judgeChain(text, chain, lex);
  propagate(text, chains, lex);
  const found: Finding[] = [];
  for (const c of chains) {
    if (c.score > 0)
      found.push({ type: "PERSON", start: c.start, end: c.end, score: c.score, detail: c.rule });
  }
  for (const f of findLowercaseNames(text, lex)) found.push(f);
  return found;
}

interface Token {
  start: number;
  end: number;
  /** Folded lower-case text, without a possessive "'s". */
  key: string;
  initial: boolean;
  honorific: boolean;
}

interface Chain {
  tokens: Token[];
  start: number;
  end: number;
  /** Whether a word in it is an everyday word that is no name (a title, an organisation, a place). */
  blocked: boolean;
  score: number;
  rule: string;
}

const MAX_TOKEN = 40;
const MAX_CHAIN = 6;
// A capitalised word (letters and marks, inner apostrophes and hyphens) not glued to a word, number,
// address or domain. Bounded repetitions: a megabyte of letters costs one short match per word.
const CAP_TOKEN =
  /(?<![\p{L}\p{M}\p{N}_'’@.\-/])\p{Lu}[\p{L}\p{M}]{0,40}(?:['’-]\p{L}[\p{L}\p{M}]{0,40}){0,3}(?![\p{L}\p{M}\p{N}])/gu;

function buildChains(text: string, lex: Lexicon): Chain[] {
  const chains: Chain[] = [];
  let current: Token[] = [];
  const close = () => {
    if (current.length > 0) chains.push(toChain(current, lex));
    current = [];
  };
  CAP_TOKEN.lastIndex = 0;
  for (let m = CAP_TOKEN.exec(text); m !== null; m = CAP_TOKEN.exec(text)) {
    const token = toToken(text, m.index, m[0]);
    if (token === undefined) {
      close();
      continue;
    }
    const prev = current[current.length - 1];
    if (prev !== undefined && !(current.length < MAX_CHAIN && joins(text, prev, token))) close();
    current.push(token);
  }
  close();
  return chains;
}

function toToken(text: string, start: number, word: string): Token | undefined {
  let end = start + word.length;
  if (word.length > MAX_TOKEN) return undefined;
  if (word.length > 1 && word === word.toUpperCase()) return undefined; // an acronym or a shouted place
  if (/['’][sS]$/.test(word)) end -= 2;
  const key = foldKey(text.slice(start, end));
  const dotted = text.charCodeAt(end) === 46;
  const initial = key.length === 1 && (dotted || (key !== "i" && key !== "a"));
  return { start, end, key, initial, honorific: isHonorific(key) };
}

/** Whether `next` continues the name that `prev` is part of. */
function joins(text: string, prev: Token, next: Token): boolean {
  const gap = text.slice(prev.end, next.start);
  if (gap === " ") return true;
  if (gap === ". " || gap === ".") return prev.initial || prev.honorific;
  return PARTICLE_GAP.test(gap);
}

function toChain(tokens: Token[], lex: Lexicon): Chain {
  const blocked = tokens.some((t) => !t.initial && !t.honorific && isEverydayWord(t.key, lex));
  return {
    tokens,
    start: tokens[0]!.start,
    end: tokens[tokens.length - 1]!.end,
    blocked,
    score: 0,
    rule: "",
  };
}

function isEverydayWord(key: string, lex: Lexicon): boolean {
  if (lex.firstNames.has(key) || lex.surnames.has(key)) return false;
  if (lex.common.has(key)) return true;
  // "E-mail", "Co-founder", "Follow-up": every part an everyday word (or a letter).
  return key.includes("-") && key.split("-").every((part) => part.length < 2 || lex.common.has(part));
}

// Two-letter names ("Li", "Bo", "Ai") are too often something else to count on their own.
function isStrongFirstName(key: string, lex: Lexicon): boolean {
  return key.length > 2 && lex.firstNames.has(key) && !lex.common.has(key);
}

/** Scores a chain, trimming an honorific and leading everyday words ("Dear", "Hi", "The") into its context. */
function judgeChain(text: string, chain: Chain, lex: Lexicon): number {
  let tokens = chain.tokens;
  let honorific = false;
  while (tokens.length > 0 && (tokens[0]!.honorific || isEverydayWord(tokens[0]!.key, lex))) {
    honorific ||= tokens[0]!.honorific;
    tokens = tokens.slice(1);
  }
  while (tokens.length > 0 && tokens[tokens.length - 1]!.initial) tokens = tokens.slice(0, -1);
  if (tokens.length === 0) return 0;
  chain.tokens = tokens;
  chain.start = tokens[0]!.start;
  chain.end = tokens[tokens.length - 1]!.end;
  chain.blocked = tokens.some((t) => !t.initial && isEverydayWord(t.key, lex));
  if (chain.blocked) return 0;
  const before = text.slice(Math.max(0, chain.start - 40), chain.start);
  if (!honorific && (inAddress(before) || ADDRESS_AFTER.test(text.slice(chain.end, chain.end + 30)))) {
    chain.blocked = true; // a street or a town named after someone
    return 0;
  }
  const [rule, score] = strongestRule(text, chain, honorific, lex);
  chain.rule = rule;
  return score;
}

/** The first rule, most certain first, that says the chain is a person, or a score of 0. */
function strongestRule(text: string, chain: Chain, honorific: boolean, lex: Lexicon): [string, number] {
  const tokens = chain.tokens;
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  const words = tokens.filter((t) => !t.initial).length;
  if (honorific) return ["honorific", 0.9];
  if (isStrongFirstName(first.key, lex)) return ["first-name", words > 1 ? 0.85 : 0.7];
  if (words >= 2 && tokens.slice(1, -1).some((t) => t.initial)) return ["middle-initial", 0.8];
  if (introducesName(text.slice(Math.max(0, chain.start - 40), chain.start))) return ["context", 0.75];
  const after = text.slice(chain.end, chain.end + 30);
  if (SPEECH_AFTER.test(after)) return ["speech", 0.65];
  if (SPEAKER_AFTER.test(after) && isLineStart(text, chain.start)) return ["speaker", 0.6];
  if (words > 1 && lex.surnames.has(last.key) && !lex.common.has(last.key)) return ["surname", 0.65];
  // Without any of the above, a pair of capitalised words is as often a street, a town or a
  // company as a person: reported below the default threshold, for callers who want recall.
  if (words > 1) return ["capitalised", 0.35];
  return ["", 0];
}

function isLineStart(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t" || text[i] === ">")) i--;
  return i < 0 || text[i] === "\n";
}

/**
 * Second pass over unscored, unblocked chains: one whose words all belong to a name found elsewhere
 * in the text ("Pennefeather" after "Yorick T. Pennefeather"), and one listed next to a name ("Ann, Bo and
 * Cy") is a name too.
 */
function propagate(text: string, chains: Chain[], lex: Lexicon): void {
  const known = new Set<string>();
  for (const c of chains) {
    if (c.score > 0 && c.tokens.length > 1) for (const t of c.tokens) if (t.key.length > 2) known.add(t.key);
  }
  for (const c of chains) {
    if (c.score > 0 || c.blocked) continue;
    const words = c.tokens.filter((t) => !t.initial);
    if (words.length > 0 && words.every((t) => known.has(t.key) && !lex.common.has(t.key))) {
      c.score = 0.7;
      c.rule = "coreference";
    }
  }
  const listed = (a: Chain, b: Chain) => /^(?:, ?| and |, and | & | or )$/.test(text.slice(a.end, b.start));
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < chains.length; i++) {
      const c = chains[i]!;
      if (c.score > 0 || c.blocked || c.tokens.every((t) => t.initial)) continue;
      const prev = chains[i - 1];
      const next = chains[i + 1];
      if ((prev?.score ?? 0) > 0 && listed(prev!, c)) c.score = 0.6;
      else if ((next?.score ?? 0) > 0 && listed(c, next!)) c.score = 0.6;
      if (c.score > 0) c.rule = "list";
    }
  }
}

const LOWER_TOKEN = /(?<![\p{L}\p{M}\p{N}_'’@.\-/])\p{Ll}[\p{L}\p{M}]{0,40}(?![\p{L}\p{M}\p{N}])/gu;
// A sentence ends at ".", "!" or "?" before a space, or at a line break ("example.com" goes on).
const SENTENCE_END = /[.!?]+(?=\s|$)|\n/g;
// Cheap test first: does any sentence start in lower case? Most prompts have none.
const LOWER_START = /(?:^|[.!?]\s+|\n\s*)["'(]?\p{Ll}/u;
const NEXT_WORD = /^ (\p{Ll}[\p{L}\p{M}]{1,40})(?![\p{L}\p{M}\p{N}])/u;

/**
 * Names in sentences written without capitals: a known first name that is not also an everyday word,
 * with the next word when it is a known surname or no everyday word; or any non-everyday word after a
 * context phrase ("my name is ...").
 */
function findLowercaseNames(text: string, lex: Lexicon): Finding[] {
  const found: Finding[] = [];
  if (!LOWER_START.test(text)) return found;
  let from = 0;
  SENTENCE_END.lastIndex = 0;
  while (from < text.length) {
    const end = SENTENCE_END.exec(text);
    const to = end === null ? text.length : end.index;
    const sentence = text.slice(from, to);
    if (!/\p{Lu}/u.test(sentence)) namesInLowercase(text, sentence, from, lex, found);
    if (end === null) break;
    from = to + end[0].length;
  }
  return found;
}

function namesInLowercase(
  text: string,
  sentence: string,
  offset: number,
  lex: Lexicon,
  found: Finding[],
): void {
  LOWER_TOKEN.lastIndex = 0;
  for (let m = LOWER_TOKEN.exec(sentence); m !== null; m = LOWER_TOKEN.exec(sentence)) {
    const key = foldKey(m[0]);
    if (lex.common.has(key)) continue;
    const start = offset + m.index;
    const strong = key.length > 2 && lex.firstNames.has(key);
    if (!strong && !introducesName(text.slice(Math.max(0, start - 40), start))) continue;
    let end = start + m[0].length;
    const next = NEXT_WORD.exec(text.slice(end, end + 42));
    if (next !== null) {
      const nextKey = foldKey(next[1]!);
      if (lex.surnames.has(nextKey) || !lex.common.has(nextKey)) end += next[0].length;
    }
    found.push({
      type: "PERSON",
      start,
      end,
      score: end - start > m[0].length ? 0.7 : 0.6,
      detail: "lexicon",
    });
    LOWER_TOKEN.lastIndex = end - offset;
  }
}
