import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Finding } from "../types.js";
import { nearby, type RecognizerContext } from "./recognizer.js";

// A phone-shaped run: an optional "+" or "(", then 7 to 17 digits with at most three separators
// (space, dot, dash, slash, parentheses) between two digits, then an optional extension. Each
// repetition holds exactly one digit, so the match cannot be split two ways, and the look-behind
// keeps it from starting again inside a longer number.
const PHONE_CANDIDATE =
  /(?<![\w+.\-/(])(?:\+|\(\+?)?\d(?:[ .\-/()]{0,3}\d){6,16}(?:\)?(?: ?(?:x|ext\.?|#) ?\d{1,6}))?(?![\w]|[.\-/]?\d)/gi;
const EXTENSION = /\)?(?: ?(?:x|ext\.?|#) ?\d{1,6})$/i;
// A date (2024-05-13, 13/05/2024), alone or followed by a time: never a phone number.
const DATE_LIKE = /^(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2(?:19|20)\d\d)(?!\d)/;
// The national trunk prefix some write after the country code: "+41 (0)44 ...".
const TRUNK_ZERO = /^(\+\d{1,3}) ?\(0\)/;
const PHONE_WORDS =
  /\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|call|calls|calling|called|dial|ring|text|sms|whatsapp|contact|reach|answer|answering|desk|office|home|work|landline|hotline|helpline|message|messages|voicemail)\b/i;

/**
 * Phone numbers, validated with libphonenumber-js (full metadata, so digits and not only length):
 * - with "+" (or an international dialling prefix such as 00): valid for the country it names;
 * - national format: valid for the default region (`ctx.region`);
 * - national format valid only in another region (`ctx.phoneRegions`): only next to a phone word
 *   ("call", "phone", "fax", "mobile", ...), since any 7-12 digit run is valid somewhere.
 * libphonenumber is only ever called on candidates, never on the whole text: it is slow on prose.
 */
export function findPhones(text: string, ctx: RecognizerContext): Finding[] {
  const found: Finding[] = [];
  // A parse costs ~10 µs and trying every region ~0.3 ms: budgets that grow with the text keep a
  // megabyte of digits linear and bounded (one parse per 64 characters, one region search per 256),
  // far above what prose needs.
  const budget: Budget = {
    parses: 16 + Math.floor(text.length / 64),
    foreignLookups: 16 + Math.floor(text.length / 256),
    verdicts: new Map(),
  };
  PHONE_CANDIDATE.lastIndex = 0;
  for (let m = PHONE_CANDIDATE.exec(text); m !== null; m = PHONE_CANDIDATE.exec(text)) {
    const candidate = m[0];
    const number = candidate.replace(EXTENSION, "").replace(TRUNK_ZERO, "$1 ");
    if (DATE_LIKE.test(number)) continue;
    const start = m.index;
    const end = start + candidate.length;
    if (ctx.taken(start, end)) continue; // already a card, an SSN, an IP address...
    const digits = number.replace(/\D/g, "");
    if (digits.length > 15) continue; // E.164 numbers have at most 15 digits
    const context = nearby(text, start, end, PHONE_WORDS, 40, 12);
    const key = `${context ? "+" : "-"}${number}`;
    let verdict = budget.verdicts.get(key);
    if (verdict === undefined && !budget.verdicts.has(key)) {
      verdict = judge(number, ctx, context, budget);
      budget.verdicts.set(key, verdict);
    }
    if (verdict === undefined) continue;
    found.push({ type: "PHONE", start, end, score: verdict.score, detail: verdict.detail });
  }
  return found;
}

interface Budget {
  parses: number;
  foreignLookups: number;
  /** Verdicts reached in this text, by number as written and phone word or not: a repeat is parsed once. */
  verdicts: Map<string, Verdict | undefined>;
}

interface Verdict {
  score: number;
  detail: string;
}

function judge(
  number: string,
  ctx: RecognizerContext,
  context: boolean,
  budget: Budget,
): Verdict | undefined {
  if (budget.parses <= 0) return undefined;
  budget.parses--;
  const boost = context ? 0.1 : 0;
  const region = asCountry(ctx.region) ?? "US";
  // "00" is the international prefix of most of the world (ITU-T E.164), whatever the region's own.
  const international = number.startsWith("+")
    ? number
    : number.startsWith("00")
      ? `+${number.slice(2)}`
      : undefined;
  if (international !== undefined) {
    const phone = parse(international, region);
    // A "+" and a length the country allows is a phone number even in a range the metadata does not
    // list as assigned (yet): score it lower than a valid one.
    if (phone?.isValid()) return { score: 0.85 + boost, detail: "libphonenumber:international" };
    if (phone?.isPossible()) return { score: 0.55 + boost, detail: "libphonenumber:possible" };
    return undefined;
  }
  const home = parse(number, region);
  if (home?.isValid()) return { score: 0.75 + boost, detail: `libphonenumber:${region}` };
  if (!context || budget.foreignLookups <= 0) return undefined;
  budget.foreignLookups--;
  for (const other of ctx.phoneRegions) {
    const country = asCountry(other);
    if (country === undefined || country === region) continue;
    if (parse(number, country)?.isValid()) return { score: 0.7, detail: `libphonenumber:${country}` };
  }
  return undefined;
}

function parse(number: string, country: CountryCode) {
  try {
    return parsePhoneNumberFromString(number, { defaultCountry: country, extract: false });
  } catch {
    return undefined; // the library's own guard against odd input; a non-number is no finding
  }
}

function asCountry(region: string | undefined): CountryCode | undefined {
  const upper = region?.toUpperCase();
  return upper !== undefined && isSupportedCountry(upper) ? upper : undefined;
}
