/**
 * The guard contract: scanners return findings, policies decide. Nothing here throws for a finding;
 * a scanner that meets text it cannot make sense of returns no findings.
 */

/** Where the scanned text came from. Indirect injection is judged on "retrieved" and "tool". */
export type TextSource = "input" | "retrieved" | "tool" | "output";

/** The entity types the PII scanner reports. */
export type PiiType =
  | "EMAIL"
  | "PHONE"
  | "CREDIT_CARD"
  | "IBAN"
  | "US_SSN"
  | "IP_ADDRESS"
  | "PERSON"
  | "DATE_OF_BIRTH"
  | "URL_WITH_CREDENTIALS";

/** The entity and risk types Keel's own scanners report. Custom scanners may add their own. */
export type FindingType = PiiType | "SECRET" | "PROMPT_INJECTION" | "PROMPT_LEAK" | (string & {});

export interface Finding {
  type: FindingType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  /** Confidence in [0, 1]. */
  score: number;
  /** What recognised it (a rule name, "luhn", "classifier", a provider name for a secret...). Never the matched value. */
  detail?: string;
}

export interface ScanContext {
  source: TextSource;
  /** The language of the text when known (BCP 47), e.g. for phone-number regions. */
  language?: string;
  /** Default region for phone numbers without a country code (ISO 3166-1 alpha-2). Default "US". */
  region?: string;
}

export interface Scanner {
  (text: string, ctx: ScanContext): Finding[];
  /** A stable name, recorded with every verdict (e.g. "pii", "secrets", "injection"). */
  readonly id: string;
}

/** Gives a plain function the `id` a scanner carries. */
export function scanner(id: string, fn: (text: string, ctx: ScanContext) => Finding[]): Scanner {
  return Object.assign((text: string, ctx: ScanContext) => fn(text, ctx), { id }) as Scanner;
}
