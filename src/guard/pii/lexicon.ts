import { COMMON_WORDS, FIRST_NAMES, SURNAMES } from "./lexicon-data.js";

/**
 * The word lists the PERSON recognizer consults, as sets of folded keys (see `foldKey`). Built on
 * first use (when a scanner that looks for names is made), not at import: a guard that never looks
 * for names never pays for them (~15 ms and ~1 MB once per process).
 */
export interface Lexicon {
  firstNames: ReadonlySet<string>;
  surnames: ReadonlySet<string>;
  /** Frequent English words that are not names, plus the names that are also frequent words. */
  common: ReadonlySet<string>;
}

// Names that are also everyday words, places or abbreviations ("Will", "May", "Grace", "Jan",
// "Georgia", "He", "Song"): not evidence of a person on their own.
const AMBIGUOUS = `
abbey amber angel angeles april art august autumn bay bell bill bin black bob bond brown can carolina chase
costa das den do islam ko lincoln my urban villa
cherry clay cook crystal dawn dean der des don drew du ed edit faith fan fields floor ford fox frank gang
georgia gene glen gold grace grant gray green gross guy hall harm he heather hill holly hong hope horn hunter
iris ivy jack jan jewel jo joke jos joy jun june king lake lane le lee lie long ma mark marshall may mayor
miles mill mills min moon na oh page pan park pastor pat pearl per price rich rico rob rock rose ruby rush
said sandy sky son song sri star stone storm summer sun thu till van victoria violet ward washington wells
west white will winter wolf wood woods young
`;

// Words that are never a name and that the frequency list may miss.
const EXTRA_COMMON = `
a i i'm i've i'd i'll dear madam sir fax mr mrs ms dr hello hi hey thanks regards sincerely cheers best ok
okay yes no corp inc ltd llc plc gmbh co bv nv oy srl spa
`;

let lexicon: Lexicon | undefined;

export function getLexicon(): Lexicon {
  if (lexicon !== undefined) return lexicon;
  const words = (list: string) => list.split(/\s+/).filter((w) => w.length > 0);
  const firstNames = new Set(words(FIRST_NAMES));
  const surnames = new Set(words(SURNAMES));
  const common = new Set([...words(COMMON_WORDS), ...words(AMBIGUOUS), ...words(EXTRA_COMMON)]);
  lexicon = { firstNames, surnames, common };
  return lexicon;
}

const FOLD: Readonly<Record<string, string>> = {
  ø: "o",
  æ: "ae",
  œ: "oe",
  ß: "ss",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};

/** Lower case without diacritics, so "Zoë", "Åsa" and "Łukasz" find "zoe", "asa" and "lukasz". */
export function foldKey(token: string): string {
  const lower = token.toLowerCase();
  if (/^[a-z'-]*$/.test(lower)) return lower;
  return lower
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[øæœßłđðþı]/g, (c) => FOLD[c] ?? c)
    .replace(/’/g, "'");
}
