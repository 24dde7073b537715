import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { ibanValid, luhnValid, ssnValid } from "./checksums.js";
import { type PiiType, piiScanner } from "./index.js";

const ctx = { source: "input" as const };

/** What one type of the scanner finds in `text`: the matched text and its offsets. */
function find(type: PiiType, text: string, options: Parameters<typeof piiScanner>[0] = {}) {
  return piiScanner({ types: [type], ...options })(text, ctx).map((f) => ({
    text: text.slice(f.start, f.end),
    start: f.start,
    end: f.end,
  }));
}

/** The finding for `value` at its first occurrence in `text`, as the scanner should report it. */
function at(text: string, value: string) {
  const start = text.indexOf(value);
  if (start === -1) throw new Error(`"${value}" is not in "${text}"`);
  return { text: value, start, end: start + value.length };
}

/** Builds an IBAN with correct check digits for any country code and length. */
function withCheckDigits(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`.toUpperCase()]
    .map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55)))
    .join("");
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return `${country}${String(98 - rest).padStart(2, "0")}${bban}`;
}

describe("EMAIL", () => {
  it("finds addresses with their exact offsets", () => {
    const text = "Write to jane.doe+news@mail.example.co.uk, or to bob@test.io.";
    expect(find("EMAIL", text)).toEqual([
      at(text, "jane.doe+news@mail.example.co.uk"),
      at(text, "bob@test.io"),
    ]);
  });

  it("does not report an @ without a domain, a handle or a dotted local part's edge", () => {
    expect(find("EMAIL", "ping @alice or a@b, or user@localhost, or x@y.z1")).toEqual([]);
    const text = "see .bob@example.org.";
    expect(find("EMAIL", text)).toEqual([at(text, "bob@example.org")]);
  });
});

describe("PHONE", () => {
  it("finds numbers valid in the default region, and international ones anywhere", () => {
    const text = "Office (212) 555-0187, Paris +33 1 23 45 67 89, London +44 20 7946 0018 ext. 12.";
    expect(find("PHONE", text)).toEqual([
      at(text, "(212) 555-0187"),
      at(text, "+33 1 23 45 67 89"),
      at(text, "+44 20 7946 0018 ext. 12"),
    ]);
  });

  it("uses ctx.region or the region option for national numbers", () => {
    const text = "Her number 020 7946 0018 is new";
    expect(find("PHONE", text)).toEqual([]);
    expect(piiScanner({ types: ["PHONE"] })(text, { source: "input", region: "GB" })).toMatchObject([
      { type: "PHONE", start: 11, end: 24 },
    ]);
    expect(find("PHONE", text, { region: "GB" })).toEqual([at(text, "020 7946 0018")]);
  });

  it("accepts a number valid in another region only next to a phone word", () => {
    expect(find("PHONE", "Ref 0470 12 34 56 attached")).toEqual([]);
    const text = "You can call me on 0470 12 34 56 after six";
    expect(find("PHONE", text)).toEqual([at(text, "0470 12 34 56")]);
    expect(find("PHONE", text, { phoneRegions: [] })).toEqual([]);
  });

  it("does not report what libphonenumber rejects, dates, or digits glued to other numbers", () => {
    expect(find("PHONE", "ticket 123-456-7890 closed")).toEqual([]); // no US area code 123
    expect(find("PHONE", "call me at 000-000-0000")).toEqual([]); // valid nowhere
    expect(find("PHONE", "phone +1 555 0100 or +999 1234 5678")).toEqual([]); // too short; no such country
    expect(find("PHONE", "built 2024-05-13 12:00, shipped 13/05/2024")).toEqual([]);
    expect(find("PHONE", "order 4111111111111111111111 and v2125550187x")).toEqual([]);
  });
});

describe("CREDIT_CARD", () => {
  it("finds Luhn-valid numbers in a card range, together or grouped", () => {
    const text = "Visa 4111 1111 1111 1111, MC 5500-0055-5555-5559, Amex 378282246310005.";
    expect(find("CREDIT_CARD", text)).toEqual([
      at(text, "4111 1111 1111 1111"),
      at(text, "5500-0055-5555-5559"),
      at(text, "378282246310005"),
    ]);
  });

  it("takes the card out of a run that goes on with its expiry or CVV", () => {
    const text = "card 4111 1111 1111 1111 123 exp 12/29";
    expect(find("CREDIT_CARD", text)).toEqual([at(text, "4111 1111 1111 1111")]);
  });

  it("does not report look-alikes that fail Luhn, mixed separators or numbers outside card ranges", () => {
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(find("CREDIT_CARD", "card 4111 1111 1111 1112")).toEqual([]);
    expect(find("CREDIT_CARD", "card 4111-1111 1111-1111")).toEqual([]);
    expect(find("CREDIT_CARD", "tracking 7000000000000005 sent")).toEqual([]); // Luhn-valid, no brand
  });

  it("accepts a Luhn-valid number outside the known ranges when the text says card", () => {
    const text = "my card number is 7000000000000005";
    expect(find("CREDIT_CARD", text)).toEqual([at(text, "7000000000000005")]);
  });
});

describe("IBAN", () => {
  it("finds IBANs compact or grouped, in either case", () => {
    const text = "Pay GB82 WEST 1234 5698 7654 32 or de89370400440532013000 today";
    expect(find("IBAN", text)).toEqual([
      at(text, "GB82 WEST 1234 5698 7654 32"),
      at(text, "de89370400440532013000"),
    ]);
  });

  it("does not report a bad checksum, a wrong length for the country or an unknown country", () => {
    expect(ibanValid("GB82WEST12345698765433")).toBe(false);
    expect(find("IBAN", "Pay GB82 WEST 1234 5698 7654 33 today")).toEqual([]);
    const short = withCheckDigits("GB", "WEST1234569876543"); // mod-97 holds, 21 characters
    expect(ibanValid(short)).toBe(false);
    expect(find("IBAN", `Pay ${short} today`)).toEqual([]);
    const long = `${withCheckDigits("GB", "WEST123456987654321")}`; // 23 characters
    expect(find("IBAN", `Pay ${long} today`)).toEqual([]);
    expect(find("IBAN", `Pay ${withCheckDigits("ZZ", "WEST12345698765432")} today`)).toEqual([]);
  });
});

describe("US_SSN", () => {
  it("finds dashed numbers, and spaced or bare ones next to an SSN word", () => {
    const text = "Employee 219-09-9998 filed.";
    expect(find("US_SSN", text)).toEqual([at(text, "219-09-9998")]);
    expect(find("US_SSN", "ref 219099998 and 219 09 9998")).toEqual([]);
    const labelled = "SSN: 219099998";
    expect(find("US_SSN", labelled)).toEqual([at(labelled, "219099998")]);
  });

  it("does not report numbers the SSA never issues", () => {
    for (const ssn of [
      "000-12-3456",
      "666-12-3456",
      "900-12-3456",
      "987-65-4321",
      "123-00-4567",
      "123-45-0000",
    ]) {
      expect(ssnValid(ssn.replace(/-/g, ""))).toBe(false);
      expect(find("US_SSN", `SSN ${ssn}`)).toEqual([]);
    }
    expect(find("US_SSN", "SSN 078-05-1120")).toEqual([]); // the Woolworth wallet card
  });
});

describe("IP_ADDRESS", () => {
  it("finds IPv4 and IPv6 addresses", () => {
    const text = "hosts 10.0.0.1, 192.168.1.254, 2001:db8::8a2e:370:7334 and fe80::1.";
    expect(find("IP_ADDRESS", text)).toEqual([
      at(text, "10.0.0.1"),
      at(text, "192.168.1.254"),
      at(text, "2001:db8::8a2e:370:7334"),
      at(text, "fe80::1"),
    ]);
  });

  it("does not report bad octets, leading zeros, version numbers, times, MACs or C++ scopes", () => {
    expect(find("IP_ADDRESS", "1.2.3.256 and 01.02.03.04 and 1.2.3.4.5")).toEqual([]);
    expect(find("IP_ADDRESS", "version 1.2.3.4, v1.2.3.4, release 10.0.0.1")).toEqual([]);
    expect(find("IP_ADDRESS", "at 12:30:45 from 00:1a:2b:3c:4d:5e using std::vector")).toEqual([]);
  });
});

describe("DATE_OF_BIRTH", () => {
  it("finds a date after a birth word, not other dates", () => {
    const text = "I was born on 14 March 1985. The meeting is on 14 March 2024. DOB: 03/14/1985";
    expect(find("DATE_OF_BIRTH", text)).toEqual([at(text, "14 March 1985"), at(text, "03/14/1985")]);
    const answer = "Date of birth? 1/9/1961, as on the passport";
    expect(find("DATE_OF_BIRTH", answer)).toEqual([at(answer, "1/9/1961")]);
  });

  it("does not report impossible dates or future years", () => {
    expect(find("DATE_OF_BIRTH", "born 31/13/1985, born 2 May 2999")).toEqual([]);
  });
});

describe("URL_WITH_CREDENTIALS", () => {
  it("finds the whole URL when it carries a password", () => {
    const text = "clone https://alice:s3cretPass@git.example.com/repo.git, then build";
    expect(find("URL_WITH_CREDENTIALS", text)).toEqual([
      at(text, "https://alice:s3cretPass@git.example.com/repo.git"),
    ]);
  });

  it("does not report URLs without a password or with a placeholder", () => {
    expect(find("URL_WITH_CREDENTIALS", "https://example.com/a:b@c and https://token@github.com/x")).toEqual(
      [],
    );
    expect(find("URL_WITH_CREDENTIALS", `postgres://user:<password>@db/app or https://u:\${PASS}@h`)).toEqual(
      [],
    );
  });
});

describe("piiScanner", () => {
  it("is a scanner with id pii and scores in [0, 1], never naming the value in detail", () => {
    const pii = piiScanner();
    expect(pii.id).toBe("pii");
    const text =
      "Dr. Amara Quist (amara.quist@example.org, +1 212 555 0187) paid with 4111 1111 1111 1111 from " +
      "GB82 WEST 1234 5698 7654 32; SSN 219-09-9998; host 10.0.0.1; born 02/03/1980.";
    const findings = pii(text, ctx);
    expect(new Set(findings.map((f) => f.type))).toEqual(
      new Set(["PERSON", "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "DATE_OF_BIRTH"]),
    );
    for (const f of findings) {
      expect(f.score).toBeGreaterThanOrEqual(0);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.detail).toBeTypeOf("string");
      expect(f.detail).not.toContain(text.slice(f.start, f.end));
    }
  });

  it("runs only the types asked for", () => {
    const text = "mail amara@example.org or call (212) 555-0187";
    expect(piiScanner({ types: ["PHONE"] })(text, ctx).map((f) => f.type)).toEqual(["PHONE"]);
  });

  it("keeps the more specific finding where two overlap", () => {
    // "Passw0rd@mail.example.com" inside the URL reads as an email too: the URL wins.
    const text = "fetch https://olivia:Passw0rd@mail.example.com/inbox now";
    const findings: Finding[] = piiScanner()(text, ctx);
    expect(findings.map((f) => [f.type, text.slice(f.start, f.end)])).toEqual([
      ["URL_WITH_CREDENTIALS", "https://olivia:Passw0rd@mail.example.com/inbox"],
    ]);
    expect(piiScanner({ types: ["EMAIL"] })(text, ctx)).toHaveLength(1);
  });

  it("keeps offsets in UTF-16 code units of the original text", () => {
    const text = "😀 naïve Zoë: zoe@example.com";
    const [email] = find("EMAIL", text);
    expect(email).toEqual(at(text, "zoe@example.com"));
  });
});
