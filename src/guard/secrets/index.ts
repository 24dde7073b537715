import { resolveOverlaps } from "../pii/overlaps.js";
import { type Finding, type Scanner, scanner } from "../types.js";
import { findAssignedSecrets } from "./assignment.js";
import { findConnectionStrings } from "./connection-string.js";
import { findHighEntropyTokens } from "./entropy.js";
import { findPrivateKeys, publicKeyRanges } from "./private-key.js";
import { findProviderSecrets } from "./providers.js";

export { looksRandom, shannonEntropy } from "./entropy.js";
export { PROVIDER_RULES, type ProviderRule } from "./providers.js";

export interface SecretsOptions {
  /** Report random-looking tokens that match no known format. Default true. */
  highEntropy?: boolean;
  /** Report secrets assigned to a key that names them (`password = ...`). Default true. */
  assignments?: boolean;
  /** Findings scored below this are dropped. Default 0.5. */
  minScore?: number;
}

/**
 * The secrets scanner: API keys and tokens of the major providers, private keys, JWTs, connection
 * strings and URLs with a password, secrets assigned to a key, and random-looking tokens. Every
 * finding has type SECRET and names its kind in `detail` ("openai-key", "private-key",
 * "connection-string", "high-entropy"...); the value itself is never in a finding.
 *
 * @example
 * const secrets = secretsScanner();
 * secrets("db: postgres://app:Zx9qLm2w@db.internal/shop", { source: "input" });
 * // [{ type: "SECRET", start: 4, end: 44, score: 0.95, detail: "connection-string" }]
 */
export function secretsScanner(options: SecretsOptions = {}): Scanner {
  const minScore = options.minScore ?? 0.5;
  return scanner("secrets", (text) => {
    if (typeof text !== "string" || text.length === 0) return [];
    const findings: Finding[] = [
      ...findPrivateKeys(text),
      ...findProviderSecrets(text),
      ...findConnectionStrings(text),
      ...(options.assignments === false ? [] : findAssignedSecrets(text)),
      ...(options.highEntropy === false ? [] : randomTokensOutsidePublicKeys(text)),
    ];
    // Where two rules see the same characters, the more certain one (a provider format over a
    // random-looking token) keeps them.
    return resolveOverlaps(
      findings.filter((f) => f.score >= minScore),
      ["SECRET"],
    );
  });
}

function randomTokensOutsidePublicKeys(text: string): Finding[] {
  const tokens = findHighEntropyTokens(text);
  if (tokens.length === 0) return tokens;
  const publicKeys = publicKeyRanges(text);
  return tokens.filter((t) => !publicKeys.some((r) => t.start >= r.start && t.end <= r.end));
}
