import { type Finding, type Scanner, scanner } from "../types.js";
import { findCards } from "./card.js";
import { findDatesOfBirth } from "./date-of-birth.js";
import { findEmails } from "./email.js";
import { findIbans } from "./iban.js";
import { findIps } from "./ip.js";
import { getLexicon } from "./lexicon.js";
import { resolveOverlaps } from "./overlaps.js";
import { findPersons } from "./person.js";
import { findPhones } from "./phone.js";
import type { PiiType, Recognizer, RecognizerContext } from "./recognizer.js";
import { findSsns } from "./ssn.js";
import { findUrlsWithCredentials } from "./url-credentials.js";

export {
  evaluatePii,
  LABELLED_TYPES,
  type LabelledSpan,
  type LabelledText,
  type PiiEvaluation,
  type Score,
  type TypeScore,
} from "./eval.js";
export type { PiiType } from "./recognizer.js";

/** Every type the PII scanner knows, in the order that wins when two findings overlap. */
export const PII_TYPES: readonly PiiType[] = [
  "URL_WITH_CREDENTIALS",
  "EMAIL",
  "IBAN",
  "CREDIT_CARD",
  "US_SSN",
  "IP_ADDRESS",
  "PHONE",
  "DATE_OF_BIRTH",
  "PERSON",
];

const RECOGNIZERS: Record<PiiType, Recognizer> = {
  URL_WITH_CREDENTIALS: findUrlsWithCredentials,
  EMAIL: findEmails,
  IBAN: findIbans,
  CREDIT_CARD: findCards,
  US_SSN: findSsns,
  IP_ADDRESS: findIps,
  PHONE: findPhones,
  DATE_OF_BIRTH: findDatesOfBirth,
  PERSON: findPersons,
};

export interface PiiOptions {
  /** The types to look for; all of `PII_TYPES` by default. */
  types?: readonly PiiType[];
  /** Default region for national phone numbers; else `ctx.region`, else "US". */
  region?: string;
  /** Regions a national number may belong to when a phone word is next to it. */
  phoneRegions?: readonly string[];
  /** Findings scored below this are dropped. Default 0.5. */
  minScore?: number;
}

/**
 * Regions tried for a national-format number next to a phone word when it is not valid in the
 * default region: the G20, the larger European countries and the most populous online ones.
 */
export const DEFAULT_PHONE_REGIONS: readonly string[] = (
  "US CA GB IE AU NZ IN PK BD NG ZA KE EG PH SG MY ID CN JP KR DE FR IT ES PT NL BE CH AT SE NO DK FI " +
  "PL CZ HU RO GR TR RU UA IL AE SA BR MX AR CO CL"
).split(" ");

/**
 * The PII scanner: emails, phone numbers, payment cards, IBANs, US SSNs, IP addresses, person
 * names, dates of birth and URLs with credentials. Where findings overlap, the more specific type
 * wins (an email is not also a person, a card number is not also a phone number).
 *
 * @example
 * const pii = piiScanner({ types: ["EMAIL", "PHONE"] });
 * pii("mail ann@example.com", { source: "input" }); // [{ type: "EMAIL", start: 5, end: 20, ... }]
 */
export function piiScanner(options: PiiOptions = {}): Scanner {
  const types = PII_TYPES.filter((t) => options.types?.includes(t) ?? true);
  const minScore = options.minScore ?? 0.5;
  const phoneRegions = options.phoneRegions ?? DEFAULT_PHONE_REGIONS;
  if (types.includes("PERSON")) getLexicon(); // built now rather than during the first scan
  return scanner("pii", (text, ctx) => {
    if (typeof text !== "string" || text.length === 0) return [];
    const findings: Finding[] = [];
    // Which characters the findings so far hold; made on the first question, then kept up to date.
    let held: Uint8Array | undefined;
    const rctx: RecognizerContext = {
      region: options.region ?? ctx.region ?? "US",
      phoneRegions,
      taken: (start, end) => {
        if (held === undefined) {
          held = new Uint8Array(text.length);
          for (const f of findings) held.fill(1, f.start, f.end);
        }
        for (let i = start; i < end; i++) if (held[i] === 1) return true;
        return false;
      },
    };
    // In order of precedence, so that a recognizer can skip what a stronger one already holds.
    for (const type of types) {
      for (const f of RECOGNIZERS[type](text, rctx)) {
        if (f.score < minScore) continue;
        findings.push(f);
        held?.fill(1, f.start, f.end);
      }
    }
    return resolveOverlaps(findings, PII_TYPES);
  });
}
