/**
 * A guard: scanners plus a policy. `scan` runs every scanner on a text, asks the policy for an
 * action per finding, applies the strictest, and reports the verdict to `onVerdict` (the audit
 * trail's hook). A scanner that throws fails closed: its error becomes a `SCANNER_ERROR` finding,
 * which blocks unless the policy says otherwise.
 */
import { KeelError } from "../errors/index.js";
import { type Canary, canaryScanner, createCanary } from "./canary.js";
import { injectionScanner } from "./injection/index.js";
import { PII_TYPES, piiScanner } from "./pii/index.js";
import type { Numbering } from "./placeholders.js";
import {
  type Action,
  defaultPolicy,
  type Policy,
  type PolicyDefinition,
  strictest,
  policy as toPolicy,
} from "./policy.js";
import { processSalt, type RedactionMode, redact } from "./redact.js";
import { secretsScanner } from "./secrets/index.js";
import { type StreamScanner, streamScanner } from "./stream.js";
import type { Finding, ScanContext, Scanner, TextSource } from "./types.js";
import type { Vault } from "./vault.js";

/** A finding as decided: which scanner found it and what the policy did about it. */
export interface DecidedFinding extends Finding {
  scanner: string;
  action: Action;
}

export interface Verdict {
  source: TextSource;
  /** The strictest action over the findings ("allow" when there are none). */
  action: Action;
  /** The text to pass on: redacted when the action is "redact", unchanged for allow/flag, null when blocked. */
  text: string | null;
  findings: DecidedFinding[];
  policy: { id: string; version: number | string };
}

/** What `onVerdict` receives: the verdict without any text, so it is safe to persist. */
export interface VerdictRecord {
  source: TextSource;
  action: Action;
  policy: { id: string; version: number | string };
  scanners: string[];
  findings: DecidedFinding[];
  textLength: number;
  redaction: RedactionMode;
}

export interface GuardOptions {
  /** Default: PII, secrets and injection scanners (and the guard's canaries on every source). */
  scanners?: Scanner[];
  /** Scanners per source, replacing `scanners` there (e.g. no PII scan of retrieved documents). */
  sources?: Partial<Record<TextSource, Scanner[]>>;
  policy?: Policy | PolicyDefinition;
  /** How "redact" rewrites text. Default "placeholder"; "pseudonymize" needs a vault per call. */
  redaction?: RedactionMode;
  /** HMAC key for the "hash" mode. Default: a random per-process salt. */
  salt?: string | Uint8Array;
  /** Types a vault may restore (default: the personal-data types, never secrets or injections). */
  restorable?: Iterable<string>;
  /** Called with every verdict, findings included, text excluded. Errors it throws are not swallowed. */
  onVerdict?: (record: VerdictRecord) => void;
}

export interface ScanOptions {
  source: TextSource;
  /** For "pseudonymize": the per-request vault that will restore placeholders in the answer. */
  vault?: Vault;
  /** For "placeholder": numbering shared by every text of one request, so one number means one value. */
  numbering?: Numbering;
  /** Look for this guard's canaries (default true; false for the system prompt that carries them). */
  canaries?: boolean;
  region?: string;
  language?: string;
  /** Also told this scan's verdict (besides the guard's own `onVerdict`): who it was for, say. */
  onVerdict?: (record: VerdictRecord) => void;
}

export interface Guard {
  readonly policy: Policy;
  readonly redaction: RedactionMode;
  scan(text: string, options: ScanOptions): Verdict;
  /** The findings and their actions, without redacting or reporting (the streaming scanner's step). */
  evaluate(text: string, options: ScanOptions): DecidedFinding[];
  /**
   * Rewrites `text` for the findings whose action is "redact". Text from the "output" source is
   * redacted one way: a vault numbers its placeholders but will not restore them.
   */
  redact(
    text: string,
    findings: readonly DecidedFinding[],
    source: TextSource,
    vault?: Vault,
    numbering?: Numbering,
  ): string;
  /** Reports a verdict decided outside `scan` (by the streaming scanner). */
  report(record: VerdictRecord): void;
  /**
   * A new canary for a system prompt; this guard flags its leakage in any text it scans until
   * `retire()` is called (do, once the conversation that used it is over: each live canary is
   * looked for in every scan).
   */
  canary(): Canary & { retire(): void };
  /** An incremental scanner for streamed text (model output). */
  stream(options: ScanOptions & { holdback?: number }): StreamScanner;
}

/** The types a vault may restore by default: personal data, never secrets or injections. */
export const PERSONAL_DATA_TYPES: readonly string[] = PII_TYPES;

export class GuardBlockedError extends KeelError {
  readonly source: TextSource;
  readonly findings: DecidedFinding[];
  readonly policyId: string;

  constructor(verdict: { source: TextSource; findings: DecidedFinding[]; policy: { id: string } }) {
    const types = [...new Set(verdict.findings.filter((f) => f.action === "block").map((f) => f.type))];
    super(
      "GUARD_BLOCKED",
      `The guard blocked ${describeSource(verdict.source)}: ${types.join(", ")} (policy "${verdict.policy.id}"). ` +
        "Change the text, or the policy if this is a false positive.",
    );
    this.source = verdict.source;
    this.findings = verdict.findings;
    this.policyId = verdict.policy.id;
  }
}

function describeSource(source: TextSource): string {
  return source === "input"
    ? "the input"
    : source === "output"
      ? "the model's output"
      : source === "tool"
        ? "a tool result"
        : "a retrieved document";
}

let defaults: Scanner[] | undefined;
/** The built-in scanners, made once (the injection model loads on first use). */
export function defaultScanners(): Scanner[] {
  defaults ??= [piiScanner(), secretsScanner(), injectionScanner()];
  return defaults;
}

export function guard(options: GuardOptions = {}): Guard {
  const activePolicy =
    options.policy === undefined
      ? defaultPolicy
      : "actionFor" in options.policy
        ? options.policy
        : toPolicy(options.policy);
  const redaction = options.redaction ?? "placeholder";
  const salt = options.salt ?? processSalt;
  if (salt.length === 0)
    throw new TypeError("guard({ salt }) must not be empty: hashes keyed by it would be guessable.");
  const restorable = new Set(options.restorable ?? PERSONAL_DATA_TYPES);
  const canaries = new Set<string>();
  const canaryScan = canaryScanner(canaries);
  const base = options.scanners ?? defaultScanners();
  const scannersFor = (source: TextSource, withCanaries = true): Scanner[] => {
    const list = options.sources?.[source] ?? base;
    return canaries.size === 0 || !withCanaries ? list : [...list, canaryScan];
  };
  const policyRef = { id: activePolicy.id, version: activePolicy.version };

  const evaluate = (text: string, scanOptions: ScanOptions): DecidedFinding[] => {
    const { source } = scanOptions;
    // Only the keys that are set: scanners see one object shape (and no `region: undefined`).
    const ctx: ScanContext = { source };
    if (scanOptions.region !== undefined) ctx.region = scanOptions.region;
    if (scanOptions.language !== undefined) ctx.language = scanOptions.language;
    const decided: DecidedFinding[] = [];
    for (const scan of scannersFor(source, scanOptions.canaries ?? true)) {
      let found: Finding[];
      try {
        found = scan(text, ctx);
      } catch {
        // Fail closed, and say which scanner: never let an exception turn into "no findings".
        found = [{ type: "SCANNER_ERROR", start: 0, end: text.length, score: 1, detail: scan.id }];
      }
      for (const finding of found) {
        const action =
          finding.type === "SCANNER_ERROR" && !activePolicy.hasRule("SCANNER_ERROR", source)
            ? "block"
            : activePolicy.actionFor(finding, source);
        decided.push({ ...finding, scanner: scan.id, action });
      }
    }
    return decided;
  };

  const redactFindings = (
    text: string,
    findings: readonly DecidedFinding[],
    source: TextSource,
    vault?: Vault,
    numbering?: Numbering,
  ): string => {
    const targets = findings.filter((f) => f.action === "redact");
    if (targets.length === 0) return text;
    const mode = redaction === "pseudonymize" && vault === undefined ? "placeholder" : redaction;
    return redact(text, targets, { mode, vault, salt, restorable, oneWay: source === "output", numbering });
  };

  const report = (record: VerdictRecord): void => options.onVerdict?.(record);

  const self: Guard = {
    policy: activePolicy,
    redaction,
    evaluate,
    redact: redactFindings,
    report,
    scan(text, scanOptions) {
      const findings = evaluate(text, scanOptions);
      const action = strictest(findings.map((f) => f.action));
      const verdict: Verdict = {
        source: scanOptions.source,
        action,
        text:
          action === "block"
            ? null
            : redactFindings(text, findings, scanOptions.source, scanOptions.vault, scanOptions.numbering),
        findings,
        policy: policyRef,
      };
      const record: VerdictRecord = {
        source: scanOptions.source,
        action,
        policy: policyRef,
        scanners: scannersFor(scanOptions.source, scanOptions.canaries ?? true).map((s) => s.id),
        findings,
        textLength: text.length,
        redaction,
      };
      report(record);
      scanOptions.onVerdict?.(record);
      return verdict;
    },
    canary() {
      const canary = createCanary();
      canaries.add(canary.secret);
      return { ...canary, retire: () => void canaries.delete(canary.secret) };
    },
    stream(streamOptions) {
      const { holdback } = streamOptions;
      if (holdback !== undefined && !(Number.isInteger(holdback) && holdback >= 0)) {
        throw new TypeError(
          `stream({ holdback }) must be a whole number of characters >= 0, got ${holdback}.`,
        );
      }
      return streamScanner(self, streamOptions, () => scannersFor(streamOptions.source).map((s) => s.id));
    },
  };
  return self;
}
