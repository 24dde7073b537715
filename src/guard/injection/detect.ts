/**
 * The layered detector: fold the text, run the rules on it and on its decoded readings, score it with
 * the classifier, and combine. The combination is a noisy-OR: with r the rule evidence (itself a
 * noisy-OR of the strongest hit of each family) and c the classifier's probability,
 * score = 1 - (1 - r)(1 - c). Either layer can carry a verdict alone when it is confident; two weak
 * signals add up.
 */
import type { Finding, TextSource } from "../types.js";
import { decodeVariants, type VariantKind } from "./decode.js";
import type { InjectionModel } from "./model.js";
import { type NormalizedText, normalizeText, toOriginalSpan } from "./normalize.js";
import { matchRules, type RuleFamily } from "./rules.js";
import { segmentsOf } from "./segments.js";

/** Sources whose text is someone else's content that reaches the model: judged for indirect injection. */
export function isIndirect(source: TextSource): boolean {
  return source === "retrieved" || source === "tool";
}

/** A rule hit mapped back to the original text. */
export interface RuleEvidenceHit {
  family: RuleFamily;
  /** The decoding the rule matched in, when not the text as written. */
  decodedFrom?: VariantKind;
  start: number;
  end: number;
  weight: number;
}

export interface RuleEvidence {
  hits: RuleEvidenceHit[];
  /** Noisy-OR over families of each family's strongest hit. */
  score: number;
}

/** Runs the rules on the folded text and on every decoded reading of it. */
export function ruleEvidence(text: string, norm: NormalizedText, source: TextSource): RuleEvidence {
  const hits: RuleEvidenceHit[] = [];
  const seen = new Set<string>();
  const keep = (hit: RuleEvidenceHit) => {
    const key = `${hit.family}:${hit.start}:${hit.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push(hit);
  };
  for (const h of matchRules(norm.text, source)) {
    keep({ family: h.family, weight: h.weight, ...toOriginalSpan(norm, h.start, h.end) });
  }
  for (const variant of decodeVariants(text, norm)) {
    for (const h of matchRules(variant.text, source)) {
      keep({
        family: h.family,
        decodedFrom: variant.kind,
        weight: h.weight,
        ...variant.toOriginal(h.start, h.end),
      });
    }
  }
  const strongest = new Map<RuleFamily, number>();
  for (const h of hits) strongest.set(h.family, Math.max(strongest.get(h.family) ?? 0, h.weight));
  let miss = 1;
  for (const w of strongest.values()) miss *= 1 - w;
  return { hits, score: 1 - miss };
}

export interface ClassifierEvidence {
  probability: number;
  /** For indirect sources: the segment (original offsets) that scored highest. */
  span?: { start: number; end: number };
}

/** The classifier's view: the whole prompt for direct text, the most suspicious segment for indirect. */
export function classifierEvidence(
  norm: NormalizedText,
  source: TextSource,
  model: InjectionModel,
): ClassifierEvidence {
  if (!isIndirect(source)) return { probability: model.scoreDirect(norm.text) };
  const best = model.scoreSegments(norm.text, segmentsOf(norm.text));
  return best.segment
    ? { probability: best.probability, span: toOriginalSpan(norm, best.segment.start, best.segment.end) }
    : { probability: best.probability };
}

/** Noisy-OR of the two layers. */
export function combineScores(ruleScore: number, classifierScore: number): number {
  return 1 - (1 - ruleScore) * (1 - classifierScore);
}

export interface InjectionVerdict {
  /** Combined score in [0, 1]. */
  score: number;
  injection: boolean;
  /** PROMPT_INJECTION findings when `injection` is true; none otherwise. */
  findings: Finding[];
  /** The rule families that matched, e.g. "instruction-override" or "instruction-override (base64)". */
  rules: string[];
  classifierScore: number;
}

export interface VerdictOptions {
  source: TextSource;
  model: InjectionModel;
  /** Default: the weights file's, for the source (and, for direct text, the prompt's length). */
  threshold?: number;
}

const MAX_FINDINGS = 64;

/** The whole pipeline on one text. Never throws on odd text; returns no findings for empty text. */
export function judge(text: string, options: VerdictOptions): InjectionVerdict {
  if (typeof text !== "string" || text.length === 0) {
    return { score: 0, injection: false, findings: [], rules: [], classifierScore: 0 };
  }
  const norm = normalizeText(text);
  const rules = ruleEvidence(text, norm, options.source);
  const classifier = classifierEvidence(norm, options.source, options.model);
  const score = combineScores(rules.score, classifier.probability);
  const threshold =
    options.threshold ??
    (isIndirect(options.source)
      ? options.model.weights.thresholds.indirect
      : options.model.directThreshold(norm.text));
  const injection = score >= threshold;
  const details = [...new Set(rules.hits.map(detailOf))];
  const findings: Finding[] = [];
  if (injection) {
    for (const h of rules.hits.slice(0, MAX_FINDINGS)) {
      findings.push({ type: "PROMPT_INJECTION", start: h.start, end: h.end, score, detail: detailOf(h) });
    }
    if (findings.length === 0) {
      const span = classifier.span ?? { start: 0, end: text.length };
      findings.push({ type: "PROMPT_INJECTION", ...span, score, detail: "classifier" });
    }
  }
  return { score, injection, findings, rules: details, classifierScore: classifier.probability };
}

function detailOf(hit: RuleEvidenceHit): string {
  return hit.decodedFrom ? `${hit.family} (${hit.decodedFrom})` : hit.family;
}
