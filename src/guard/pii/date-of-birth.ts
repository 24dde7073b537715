import type { Finding } from "../types.js";

const MONTHS =
  "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
// 14/03/1985, 3-14-85, 1985-03-14, 14 March 1985, 14th of March, 1985, March 14, 1985, Mar 14 1985.
const DATE = new RegExp(
  "(?<![\\w/.-])(?:" +
    "(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4}|\\d{2})" +
    "|(\\d{4})-(\\d{1,2})-(\\d{1,2})" +
    `|(\\d{1,2})(?:st|nd|rd|th)?(?: of)? (${MONTHS})\\.?,? (\\d{4})` +
    `|(${MONTHS})\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})` +
    ")(?![\\w/]|[.-]\\d)",
  "gi",
);
const BIRTH_HINT = /birth|born|\bdob\b|d\.o\.b/i;
// The birth word, then the date in the same sentence, or as the answer right after it
// ("Date of birth? 1/14/1961", "your date of birth. It's ...").
const BIRTH_WORDS =
  /(?:\bdate of birth|\bbirth ?date|\bbirthday|\bdob|\bd\.o\.b\.?|\bborn(?: on)?|\bb\.)\b(?:[^\n.!?]{0,40}|[^\n.!?]{0,10}[.?!:]\s{0,3}(?:it'?s|it is|mine is|that'?s)?\s{0,3})$/i;

/**
 * Dates of birth: a date with a birth word shortly before it ("date of birth", "DOB", "born on",
 * "birthday"). Any other date is just a date and is not reported. Day, month and year must make a
 * calendar date (day-first and month-first numeric forms are both accepted) with a year from 1900
 * to this year.
 */
export function findDatesOfBirth(text: string): Finding[] {
  if (!BIRTH_HINT.test(text)) return [];
  const found: Finding[] = [];
  DATE.lastIndex = 0;
  for (let m = DATE.exec(text); m !== null; m = DATE.exec(text)) {
    if (!plausible(m)) continue;
    if (!BIRTH_WORDS.test(text.slice(Math.max(0, m.index - 50), m.index))) continue;
    found.push({
      type: "DATE_OF_BIRTH",
      start: m.index,
      end: m.index + m[0].length,
      score: 0.85,
      detail: "birth-context",
    });
  }
  return found;
}

function plausible(m: RegExpExecArray): boolean {
  let day: number;
  let month: number;
  let year: number;
  if (m[1] !== undefined) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    // Day first (most of the world) or month first (the US): either reading may be the right one.
    [day, month] = a > 12 ? [a, b] : b > 12 ? [b, a] : [a, b];
    year = Number(m[4]);
    if (m[4]!.length === 2) year += year > new Date().getFullYear() % 100 ? 1900 : 2000;
  } else if (m[5] !== undefined) {
    [year, month, day] = [Number(m[5]), Number(m[6]), Number(m[7])];
  } else if (m[8] !== undefined) {
    [day, month, year] = [Number(m[8]), monthNumber(m[9]!), Number(m[10])];
  } else {
    [month, day, year] = [monthNumber(m[11]!), Number(m[12]), Number(m[13])];
  }
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1900 && year <= new Date().getFullYear()
  );
}

function monthNumber(name: string): number {
  const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
  return months.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}
