/**
 * A small deterministic classifier: keyword rules, no model. Good enough to label a support
 * question for routing and reporting, and to give retrieval a one-word hint.
 */

export const CATEGORIES = [
  "billing",
  "refunds",
  "integrations",
  "security",
  "troubleshooting",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

// Order matters on a tie: a refund question is also a billing one, a sync error also a problem.
const RULES: ReadonlyArray<{ category: Exclude<Category, "other">; patterns: RegExp[] }> = [
  {
    category: "refunds",
    patterns: [
      /\brefund/i,
      /\bmoney back\b/i,
      /\bcharged twice\b/i,
      /\bdouble[- ]charged?\b/i,
      /\bchargeback/i,
    ],
  },
  {
    category: "security",
    patterns: [
      /\bsecur/i,
      /\bsso\b/i,
      /\bsaml\b/i,
      /\bscim\b/i,
      /\b2fa\b/i,
      /\btwo[- ]factor\b/i,
      /\bencrypt/i,
      /\bgdpr\b/i,
      /\bprivacy\b/i,
      /\bsoc ?2\b/i,
      /\bhack/i,
      /\bphishing\b/i,
      /\bvulnerab/i,
      /\b(delete|erase) (my|our|personal) data\b/i,
      /\btakeover\b/i,
    ],
  },
  {
    category: "integrations",
    patterns: [
      /\bintegrat/i,
      /\bconnect/i,
      /\bsync/i,
      /\bledgerline\b/i,
      /\bnorthbook\b/i,
      /\bchatwave\b/i,
      /\bpeoplegrid\b/i,
      /\bcard feeds?\b/i,
      /\bapi\b/i,
      /\bwebhooks?\b/i,
      /\baccounting\b/i,
    ],
  },
  {
    category: "billing",
    patterns: [
      /\bbill/i,
      /\binvoice/i,
      /\bpayments?\b/i,
      /\bpay\b/i,
      /\bcharge/i,
      /\bsubscri/i,
      /\bplans?\b/i,
      /\bpric/i,
      /\bseats?\b/i,
      /\bupgrad/i,
      /\bdowngrad/i,
      /\bcancel/i,
      /\bvat\b/i,
      /\bdiscount/i,
      /\bcards?\b/i,
    ],
  },
  {
    category: "troubleshooting",
    patterns: [
      /\berror/i,
      /\bnot working\b/i,
      /\bdoes(n't| not) work/i,
      /\bcan(no|')t\b/i,
      /\bfail/i,
      /\bbroken\b/i,
      /\bstuck\b/i,
      /\blocked out\b/i,
      /\bwrong\b/i,
      /\bproblem/i,
      /\bissue/i,
      /\bbug\b/i,
      /\bTW-SYNC-\d+/i,
    ],
  },
];

/** The label with the most matching rules (`other` when none match), and which rules matched. */
export function classify(question: string): { category: Category; matched: string[] } {
  let best: { category: Category; matched: string[] } = { category: "other", matched: [] };
  for (const rule of RULES) {
    const matched = rule.patterns.filter((p) => p.test(question)).map((p) => p.source);
    if (matched.length > best.matched.length) best = { category: rule.category, matched };
  }
  return best;
}

const HINTS: Record<Category, string> = {
  billing: "billing",
  refunds: "refund",
  integrations: "integration",
  security: "security",
  troubleshooting: "",
  other: "",
};

/**
 * The retrieval query: the question, plus the category's word when the question lacks it, so that
 * "I was charged twice" also finds the refund policy. A hint, not a filter: no document is excluded.
 */
export function hintedQuery(question: string, category: Category): string {
  const hint = HINTS[category];
  return hint && !new RegExp(`\\b${hint}`, "i").test(question) ? `${question} ${hint}` : question;
}
