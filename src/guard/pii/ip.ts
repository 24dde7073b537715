import type { Finding } from "../types.js";

// Four dotted numbers, not inside a longer dotted or alphanumeric run; octets are checked below.
const IPV4 = /(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d)/g;
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// Hex groups joined by colons, 3 to 8 groups; validated below (one "::" at most, 8 groups without it).
const IPV6_CANDIDATE = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}|(?=::))(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;
const IPV6_HINT = /[0-9A-Fa-f]:[0-9A-Fa-f]|::/;
const VERSION_BEFORE = /(?:\bv|\bversion\s*|\bver\.?\s*|\brelease\s*)$/i;

/**
 * IPv4 and IPv6 addresses. A dotted quad right after "v", "version" or "release" is a version
 * number and is not reported; one with a leading zero in an octet ("01.02.03.04") is not an
 * address. An IPv6 address needs at least two groups, so "::" in code is not one.
 */
export function findIps(text: string): Finding[] {
  const found: Finding[] = [];
  if (text.indexOf(".") !== -1) {
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(text); m !== null; m = IPV4.exec(text)) {
      if (!m[0].split(".").every((octet) => OCTET.test(octet))) continue;
      if (VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
      found.push({
        type: "IP_ADDRESS",
        start: m.index,
        end: m.index + m[0].length,
        score: 0.9,
        detail: "ipv4",
      });
    }
  }
  if (text.indexOf(":") !== -1 && IPV6_HINT.test(text)) {
    IPV6_CANDIDATE.lastIndex = 0;
    for (let m = IPV6_CANDIDATE.exec(text); m !== null; m = IPV6_CANDIDATE.exec(text)) {
      if (!ipv6Valid(m[0])) continue;
      found.push({
        type: "IP_ADDRESS",
        start: m.index,
        end: m.index + m[0].length,
        score: 0.9,
        detail: "ipv6",
      });
    }
  }
  return found;
}

export function ipv6Valid(candidate: string): boolean {
  const halves = candidate.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length >= 2 && groups.length <= 7 : groups.length === 8;
}
