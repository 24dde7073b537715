/** The words around a capitalised chain that say it names a person. */

const HONORIFICS = new Set(
  (
    "mr mrs ms miss mx dr prof professor sir dame lady lord rev reverend fr madam mme mlle herr frau sr sra " +
    "srta capt captain col colonel sgt lt lieut officer det detective judge justice sen senator gov governor " +
    "rep rabbi imam sheikh"
  ).split(" "),
);

/** "Mr", "Dr", "Prof"... (folded key, without the dot). */
export function isHonorific(key: string): boolean {
  return HONORIFICS.has(key);
}

// Lower-case particles inside a name: "Willem van der Berg", "Ana de la Cruz", "Omar bin Said".
export const PARTICLE_GAP =
  /^ (?:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|ten|ter|bin|ibn|al|el|zu|af|av|y)(?: (?:der|den|la|le|los|las))? $/;

const RELATIONS =
  "wife|husband|son|daughter|brother|sister|mother|father|mom|mum|dad|friend|colleague|coworker|co-worker|" +
  "boss|manager|partner|kid|child|uncle|aunt|cousin|nephew|niece|grandmother|grandfather|grandma|grandpa|" +
  "fianc[ée]e?|girlfriend|boyfriend|neighbou?r|doctor|lawyer|teacher|student|client|customer|patient|" +
  "tenant|landlord|employee|assistant|author|singer|actor|actress|writer|songwriter|director|founder|" +
  "commenter|guest|agent|contact|beneficiary|spouse";

/** Phrases right before a name: introductions, greetings, sign-offs, relations, addressing. */
const BEFORE_NAME = new RegExp(
  "(?:\\bmy name is|\\bname is|\\bname\\s*:|\\bnamed|\\bcalled|\\bdear|\\bhi|\\bhello|\\bhey|\\bthanks|" +
    "\\bthank you|\\bregards|\\bsincerely|\\bcheers|\\bsigned|\\bfrom\\s*:|\\bto\\s*:|\\bcc\\s*:|\\battn\\.?|" +
    "\\battention|\\bask for|\\bspeak (?:to|with)|\\btalk (?:to|with)|\\bmeet|\\bmet|\\bmarried|\\bi am|" +
    "\\bi'm|\\bthis is|\\bby|\\bwith|\\bcontact|\\bcontacted|\\bemailed|\\bphoned|\\btell|\\bask|\\binvite|" +
    "\\binvited|\\bvisit|\\bvisited|\\bsaw|\\bheard|\\bthe late|\\bsays|\\bsaid|\\bstarring|\\bfeaturing|\\bfeat\\.|" +
    "\\bcall me|\\baccording to|\\b(?:assistant|married|engaged|reports|replying|reply|letter|note) to|" +
    "\\b(?:son|daughter|wife|husband|widow) of|\\bname\\s*\\?|\\b(?:first|last|full|given|maiden|sur) ?name|" +
    `\\b(?:${RELATIONS}))\\s*[,:]?\\s*$`,
  "i",
);

// The last word of every phrase above: the regular expression, tried at every offset of the text
// before a chain, runs only when the word before the chain is one of these.
const BEFORE_NAME_LAST = new Set(
  (
    "is name named called dear hi hello hey thanks you regards sincerely cheers signed from to cc attn attention " +
    "for with meet met married am i'm this by contact contacted emailed phoned tell ask invite invited visit " +
    "visited saw heard late says said starring featuring feat me of surname firstname lastname " +
    RELATIONS.replace(/\[ée\]e\?/, "ee fiance fiancé fiancée").replace("neighbou?r", "neighbor neighbour")
  ).split(/[\s|]+/),
);

/** Whether the text before a chain ends with a phrase that introduces a name. */
export function introducesName(before: string): boolean {
  return BEFORE_NAME_LAST.has(lastWord(before)) && BEFORE_NAME.test(before);
}

/** Verbs and possessives right after a name. */
export const SPEECH_AFTER =
  /^(?:['’]s\s+(?:\w+\s+)?(?:address|email|e-mail|phone|number|wife|husband|son|daughter|mother|father|account|birthday|house|car|office|desk|novel|book|song|album)\b|\s+(?:said|says|told|tells|asked|asks|wrote|writes|replied|replies|answered|explained|added|noted|emailed|texted|called|phoned|thinks|thought|believes|smiled|laughed|nodded|shouted|yelled|whispered|cried|screamed|is a \d+ year old|was born|died|has been|had given|is very|is my|is our|is your)\b)/i;

/** A speaker label at the start of a line: "Anna: ...". */
export const SPEAKER_AFTER = /^\s*:\s/;

// Street and place words that make the chain after them part of an address or a town name
// ("Via Giuseppe Verdi", "rue Émile Zola", "San Diego", "Saint Helena"), and a house number.
const ADDRESS_BEFORE = new RegExp(
  "(?:\\d[\\dA-Za-z/-]*,?[ \\t]+|\\b(?:via|rue|avenida|avenue|ave|calle|c/|rua|plaza|piazza|piazzetta|viale|" +
    "corso|vicolo|largo|pra[çc]a|travessa|paseo|carrer|camino|chemin|all[ée]e|boulevard|blvd|ul\\.?|ulica|" +
    "aleja|al\\.|saint|san|santa|santo|s[ãa]o|st\\.?|ste\\.?|port|fort|mount|mt\\.?|lake|el|los|las|villa|" +
    "colonia|cit[ée]|route|strada|estrada|quai|place|platz|pont|puerto|porto|isla|ilha|ciudad|vila|villa|" +
    "grew up in|lives? in|moved to|moved here from|from the|in|at)[ \\t]+)$",
  "i",
);

const ADDRESS_LAST = new Set(
  (
    "via rue avenida avenue ave calle c/ rua plaza piazza piazzetta viale corso vicolo largo praça praca " +
    "travessa paseo carrer camino chemin allée allee boulevard blvd ul ulica aleja al saint san santa santo " +
    "são sao st ste port fort mount mt lake el los las villa colonia cite cité route strada estrada quai place " +
    "platz pont puerto porto isla ilha ciudad vila in at from"
  ).split(" "),
);

/** Whether the text before a chain puts it in an address or a place name. */
export function inAddress(before: string): boolean {
  if (!/[ \t]$/.test(before)) return false;
  const word = lastWord(before);
  return (/\d/.test(word) || ADDRESS_LAST.has(word)) && ADDRESS_BEFORE.test(before);
}

/** The last word before the end of `text`, lower case, without the punctuation around it. */
function lastWord(text: string): string {
  let end = text.length;
  while (end > 0 && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && end - start < 30 && !isWordBreak(text.charCodeAt(start - 1))) start--;
  return text.slice(start, end).toLowerCase();
}

// Space, tab, line breaks, "," ":" "?" "."
function isTrailingPunctuation(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 58 || c === 63 || c === 46;
}

// Space, tab, line breaks, "," ":" ";" "?" "!" "(" ")" and the double quote.
function isWordBreak(c: number): boolean {
  return (
    c <= 32 || c === 44 || c === 58 || c === 59 || c === 63 || c === 33 || c === 40 || c === 41 || c === 34
  );
}

// A house number or a street word after the chain: "Anna Pauwels 12", "Kossuth tér", "King St".
export const ADDRESS_AFTER =
  /^(?:[ \t]+\d{1,6}\b|,?[ \t]+(?:u\.|utca|út|útja|tér|street|st\b|road|rd\b|avenue|ave\b|lane|drive|boulevard|blvd|straße|strasse|str\.|gasse|weg|vej|vegen|veien|gata|gatan|katu|kuja|tie|plein|laan|straat|square|sq\b|place|court|crescent|terrace|close|cliffs?|rapids|greens?|coves?|apt\b|suite|street)\b)/i;
