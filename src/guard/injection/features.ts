/**
 * Hashed features of folded text: word unigrams and bigrams, character n-grams and a few length
 * buckets, each hashed (FNV-1a over UTF-16 units, then murmur3's 32-bit finaliser) into one of
 * 2^hashBits buckets. Features are binary (present or not) and the vector is L2-normalised, so a
 * score is the sum of the present buckets' weights divided by the square root of their count.
 * Segments of indirect text also get the cue features of cues.ts, each in `indirectCues` buckets.
 *
 * The training code and the detector share this file; any change to it changes what the committed
 * weights mean, so the config is recorded in the weights file and checked on load.
 */

import { CUE_BASIS, CUES } from "./cues.js";

export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  hashBits: number;
  /** Shortest and longest character n-gram. */
  charMin: number;
  charMax: number;
  /** Word n-grams up to this length (1 or 2). */
  wordMax: number;
  /** A longer text is featurised on its first `headChars` and last `tailChars` only. */
  headChars: number;
  tailChars: number;
  /**
   * Cue features (cues.ts) for segments of indirect text (`collect(..., true)`); prompts of direct
   * sources never get them. The number is how many hashed buckets each cue fills, i.e. its weight
   * next to the n-grams (which fill one each); 0 or absent turns cues off.
   */
  indirectCues?: number;
}

const FNV_PRIME = 16777619;
const CHAR_BASIS = 0x811c9dc5;
const WORD_BASIS = 0x2f6b9a1d;
const BIGRAM_SALT = 0x5bd1e995;
const META_BASIS = 0x68e31da4;

/** murmur3's finaliser: spreads FNV's weak low bits over the whole word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 units of a string (for tests and tooling; the featuriser inlines it). */
export function fnv1a(text: string, basis = CHAR_BASIS): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function isWordUnit(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0xc0 && c < 0x2000) ||
    (c >= 0x2c00 && c < 0x3000) ||
    (c >= 0x3040 && c < 0xd800) ||
    (c >= 0xf900 && c < 0xfe00)
  );
}

/** A featuriser with its own scratch memory. Not reentrant; create one per use site. */
export interface Featurizer {
  readonly config: FeatureConfig;
  /**
   * The distinct buckets of `text[from, to)` (the head and tail of it when long), written to an
   * internal buffer: read `buckets.subarray(0, count)` before the next call. `cues` adds the cue
   * features (cues.ts) when the config has `indirectCues`; only segments of indirect text ask for them.
   */
  collect(text: string, from?: number, to?: number, cues?: boolean): number;
  readonly buckets: Int32Array;
}

export function createFeaturizer(config: FeatureConfig): Featurizer {
  const mask = (1 << config.hashBits) - 1;
  const stamp = new Int32Array(mask + 1);
  let epoch = 0;
  const { charMin, charMax, wordMax } = config;
  const state = { buckets: new Int32Array(4096), count: 0 };
  const cueCopies = config.indirectCues ?? 0;
  // Each cue and each pair of cues, every one in cueCopies buckets.
  const cueSlots = cueCopies * ((CUES.length * (CUES.length + 1)) / 2);

  // Hot loop: the bucket of a hash is fmix32(h) & mask, inlined, and deduplicated by stamping the
  // bucket with the call's epoch (no clearing between calls).
  const window = (text: string, from: number, to: number) => {
    const buckets = state.buckets;
    let count = state.count;
    for (let i = from; i < to; i++) {
      let h = CHAR_BASIS;
      const last = Math.min(i + charMax, to);
      for (let k = i; k < last; k++) {
        h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
        if (k - i + 1 < charMin) continue;
        let b = h ^ (h >>> 16);
        b = Math.imul(b, 0x85ebca6b);
        b ^= b >>> 13;
        b = Math.imul(b, 0xc2b2ae35);
        b = (b ^ (b >>> 16)) & mask;
        if (stamp[b] !== epoch) {
          stamp[b] = epoch;
          buckets[count++] = b;
        }
      }
    }
    let prev = -1;
    let h = WORD_BASIS;
    let inWord = false;
    for (let i = from; i <= to; i++) {
      const c = i < to ? text.charCodeAt(i) : 0x20;
      if (isWordUnit(c)) {
        h = Math.imul(h ^ c, FNV_PRIME);
        inWord = true;
      } else if (inWord) {
        const b1 = fmix32(h) & mask;
        if (stamp[b1] !== epoch) {
          stamp[b1] = epoch;
          buckets[count++] = b1;
        }
        if (wordMax >= 2 && prev !== -1) {
          const b2 = fmix32(Math.imul(prev, 0x9e3779b1) ^ h ^ BIGRAM_SALT) & mask;
          if (stamp[b2] !== epoch) {
            stamp[b2] = epoch;
            buckets[count++] = b2;
          }
        }
        prev = h;
        h = WORD_BASIS;
        inWord = false;
      }
    }
    state.count = count;
  };

  const addMeta = (hash: number) => {
    const b = fmix32(hash) & mask;
    if (stamp[b] === epoch) return;
    stamp[b] = epoch;
    state.buckets[state.count++] = b;
  };

  // Each cue present, and each pair of cues present together (a linear head cannot AND them), in
  // cueCopies buckets each: cue c is id c, the pair (c, d) id 64(c + 1) + d.
  const addCues = (segment: string) => {
    let present = 0;
    for (let c = 0; c < CUES.length; c++) if (CUES[c]!.pattern.test(segment)) present |= 1 << c;
    for (let c = 0; c < CUES.length; c++) {
      if ((present & (1 << c)) === 0) continue;
      for (let d = c; d < CUES.length; d++) {
        if ((present & (1 << d)) === 0) continue;
        const id = d === c ? c : 64 * (c + 1) + d;
        for (let k = 0; k < cueCopies; k++) addMeta(Math.imul(CUE_BASIS ^ id ^ (k << 20), FNV_PRIME));
      }
    }
  };

  return {
    config,
    get buckets() {
      return state.buckets;
    },
    collect(text: string, from = 0, to = text.length, cues = false): number {
      epoch++;
      if (epoch === 0x7fffffff) {
        stamp.fill(0);
        epoch = 1;
      }
      const len = to - from;
      const windowed = len > config.headChars + config.tailChars;
      const featurized = windowed ? config.headChars + config.tailChars : len;
      // Room for every feature the text can yield, so the hot loop never checks capacity.
      const capacity = featurized * (charMax - charMin + 1) + 2 * featurized + 8 + (cues ? cueSlots : 0);
      if (state.buckets.length < capacity) state.buckets = new Int32Array(capacity);
      state.count = 0;
      if (windowed) {
        window(text, from, from + config.headChars);
        window(text, to - config.tailChars, to);
      } else {
        window(text, from, to);
      }
      // Length and line-count buckets: long, many-line prompts are a trait of jailbreak templates.
      addMeta(Math.imul(META_BASIS ^ (31 - Math.clz32(len + 1)), FNV_PRIME));
      // Counted by hand within [from, to): indexOf would scan past `to` to the end of a long text.
      let lines = 0;
      for (let i = from; i < to && lines < 1024; i++) if (text.charCodeAt(i) === 10) lines++;
      addMeta(Math.imul(META_BASIS ^ (0x100 + (31 - Math.clz32(lines + 1))), FNV_PRIME));
      if (cues && cueCopies > 0) addCues(from === 0 && to === text.length ? text : text.slice(from, to));
      return state.count;
    },
  };
}
