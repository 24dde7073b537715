/**
 * Checksums and issuing rules that turn a look-alike into a finding. Each takes the bare value
 * (digits or compact alphanumerics, no separators) and says whether it can be real.
 */

/** The Luhn (mod 10) check used by payment cards. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

// [lowest prefix, highest prefix, lengths]: the card ranges in issue today (ISO/IEC 7812 IINs of
// Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir, RuPay, Troy). A
// Luhn-valid number outside them is more likely an account or order number than a card.
const CARD_RANGES: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [4, 4, [13, 16, 19]], // Visa
  [51, 55, [16]], // Mastercard
  [2221, 2720, [16]], // Mastercard 2-series
  [34, 34, [15]], // American Express
  [37, 37, [15]],
  [6011, 6011, [16, 17, 18, 19]], // Discover
  [644, 649, [16, 17, 18, 19]],
  [65, 65, [16, 17, 18, 19]],
  [300, 305, [14, 15, 16, 17, 18, 19]], // Diners Club
  [3095, 3095, [14, 15, 16, 17, 18, 19]],
  [36, 36, [14, 15, 16, 17, 18, 19]],
  [38, 39, [14, 15, 16, 17, 18, 19]],
  [3528, 3589, [16, 17, 18, 19]], // JCB
  [1800, 1800, [15]], // JCB (legacy 15-digit)
  [2131, 2131, [15]],
  [62, 62, [16, 17, 18, 19]], // UnionPay
  [2200, 2204, [16, 17, 18, 19]], // Mir
  [50, 50, [12, 13, 14, 15, 16, 17, 18, 19]], // Maestro
  [56, 69, [12, 13, 14, 15, 16, 17, 18, 19]],
  [60, 60, [16]], // RuPay
  [81, 82, [16]],
  [9792, 9792, [16]], // Troy
];

/** Whether the number lies in a card brand's range with one of its lengths. */
export function knownCardRange(digits: string): boolean {
  return CARD_RANGES.some(([low, high, lengths]) => {
    const prefix = Number(digits.slice(0, String(low).length));
    return prefix >= low && prefix <= high && lengths.includes(digits.length);
  });
}

// Total IBAN length per country, from the ISO 13616 IBAN registry (SWIFT), release of 2024.
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 " +
    "DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 " +
    "IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 " +
    "MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 " +
    "SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
  )
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/** The IBAN length of a country (upper-case ISO code), or undefined if it has no IBAN. */
export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTHS.get(country);
}

/** ISO 13616: the country's length and the mod-97 check (the rearranged number mod 97 is 1). */
export function ibanValid(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (iban.length < 15 || ibanLength(iban.slice(0, 2)) !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rest = (rest * 100 + (c - 55)) % 97;
    else return false;
  }
  return rest === 1;
}

// Numbers that were published and so never identify anyone: the Woolworth wallet card and the one
// printed in a 1960s advertisement, plus the usual placeholder.
const PUBLISHED_SSNS = new Set(["078051120", "219099999", "123456789"]);

/**
 * The SSA's rules for numbers it issues: area 001-899 but not 666, group 01-99, serial 0001-9999.
 * Also rejected: published numbers and one digit repeated nine times.
 */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return !PUBLISHED_SSNS.has(digits) && !/^(\d)\1{8}$/.test(digits);
}
