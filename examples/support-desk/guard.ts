/**
 * The demo's guard: one policy for the question (input), the retrieved chunks and the answer
 * (output). Built on Keel's default policy with three changes, each for a reason given below.
 */
import {
  defaultPolicy,
  type Finding,
  type Guard,
  guard,
  injectionScanner,
  piiScanner,
  policy,
  type Scanner,
  scanner,
  secretsScanner,
} from "keel/guard";

/**
 * Names from the product's own vocabulary. The PERSON recognizer reads a capitalised product name
 * next to a verb ("Tidewater asks you to...") as a person; these are never personal data here.
 */
const PRODUCT_TERMS = new Set([
  "Tidewater",
  "SmartScan",
  "Ledgerline",
  "Northbook",
  "Chatwave",
  "PeopleGrid",
]);

/** The PII scanner, minus PERSON findings that are exactly one of the product's names. */
function piiWithProductTerms(): Scanner {
  const pii = piiScanner();
  return scanner("pii", (text, ctx) =>
    pii(text, ctx).filter(
      (f: Finding) => !(f.type === "PERSON" && PRODUCT_TERMS.has(text.slice(f.start, f.end))),
    ),
  );
}

export const supportDeskPolicy = policy({
  id: "support-desk",
  version: 1,
  rules: defaultPolicy.definition.rules,
  sources: {
    // A chunk that carries an injection is withheld whole, not redacted: the text around the planted
    // instruction was written by the same hand.
    retrieved: { PROMPT_INJECTION: "block" },
    // Answers are quotes of our own documentation: an instruction to a model in one means something
    // got past retrieval, so the answer is withheld. A name in one is recorded for review rather than
    // cut out mid-sentence (the PERSON recognizer also fires on words like "authentication"); e-mail
    // addresses, phone numbers, cards, IBANs and secrets are still redacted.
    output: { PROMPT_INJECTION: "block", PERSON: "flag" },
  },
  // The indirect-injection classifier scores some lone Markdown headings of these pages up to 0.84
  // ("## Subprocessors"); planted instructions score 0.95 and more (rules and classifier agree).
  // Acting from 0.9 keeps the benign pages citable; lower findings stay visible in the verdicts.
  minScore: { PROMPT_INJECTION: 0.9 },
});

/**
 * The guard the workflow scans with. Retrieved chunks are scanned for injections and secrets but
 * not for personal data: the documentation is the company's own, and who may read which page is the
 * access list's job, enforced inside the retrieval query.
 */
export function supportDeskGuard(): Guard {
  const pii = piiWithProductTerms();
  const secrets = secretsScanner();
  const injection = injectionScanner();
  return guard({
    policy: supportDeskPolicy,
    scanners: [pii, secrets, injection],
    sources: { retrieved: [secrets, injection] },
    redaction: "placeholder",
  });
}
