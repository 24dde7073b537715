import type { Finding } from "../types.js";

const PRIVATE_BLOCK = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/g;
const PUBLIC_BLOCK =
  /-----BEGIN ((?:RSA |EC |DSA |SSH2 |PGP )?PUBLIC KEY(?: BLOCK)?|CERTIFICATE(?: REQUEST)?|X509 CRL)-----/g;
const SSH_PUBLIC_KEY =
  /\b(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com) AAAA[A-Za-z0-9+/]{20,16384}={0,3}/g;
const MAX_BLOCK = 64 * 1024;
// What a PEM body may hold: base64 lines, "Proc-Type:"-style headers, and blank lines.
const BODY_LINE = /^(?:[A-Za-z0-9+/=]{1,200}|[A-Za-z-]{1,40}: [^\n]{0,200}|)\r?$/;

interface Block {
  start: number;
  end: number;
  /** Whether the END line was found (else the block ends with its body). */
  closed: boolean;
}

/**
 * PEM and PGP private keys, from the BEGIN line to the matching END line. A key cut off before its
 * END line (pasted in part, or truncated by the caller) is reported up to the end of its body.
 */
export function findPrivateKeys(text: string): Finding[] {
  if (!text.includes("PRIVATE KEY")) return [];
  return pemBlocks(text, PRIVATE_BLOCK).map(({ start, end, closed }) => ({
    type: "SECRET",
    start,
    end,
    score: closed ? 0.99 : 0.95,
    detail: "private-key",
  }));
}

/**
 * Where public keys and certificates are: their base64 looks random, but is meant to be shared,
 * so the high-entropy rule leaves it alone.
 */
export function publicKeyRanges(text: string): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = text.includes("-----BEGIN ")
    ? pemBlocks(text, PUBLIC_BLOCK)
    : [];
  if (text.includes(" AAAA")) {
    SSH_PUBLIC_KEY.lastIndex = 0;
    for (let m = SSH_PUBLIC_KEY.exec(text); m !== null; m = SSH_PUBLIC_KEY.exec(text)) {
      ranges.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  return ranges;
}

function pemBlocks(text: string, begin: RegExp): Block[] {
  const blocks: Block[] = [];
  // Where each kind of END line comes next (-1: nowhere), so a text of BEGIN lines without END
  // lines is searched once per kind, not once per BEGIN line.
  const footers = new Map<string, number>();
  begin.lastIndex = 0;
  for (let m = begin.exec(text); m !== null; m = begin.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const footer = `-----END ${m[1]}-----`;
    let at = footers.get(footer);
    if (at === undefined || (at !== -1 && at < bodyStart))
      footers.set(footer, (at = text.indexOf(footer, bodyStart)));
    const closed = at !== -1 && at - bodyStart <= MAX_BLOCK;
    const end = closed ? at + footer.length : bodyStart + bodyLength(text, bodyStart);
    blocks.push({ start: m.index, end, closed });
    begin.lastIndex = end;
  }
  return blocks;
}

/** The length of the PEM body starting at `from` (after its BEGIN line), without trailing blank lines. */
function bodyLength(text: string, from: number): number {
  let length = 0;
  let lineStart = from;
  while (lineStart - from < MAX_BLOCK) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd =
      newline === -1 || newline - lineStart > 300 ? Math.min(text.length, lineStart + 300) : newline;
    const line = text.slice(lineStart, lineEnd);
    if (!BODY_LINE.test(line)) break;
    if (line.trim() !== "") length = lineEnd - from;
    if (lineEnd === text.length || lineEnd !== newline) break;
    lineStart = lineEnd + 1;
  }
  return length;
}
