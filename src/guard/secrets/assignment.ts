import { isPlaceholderSecret } from "../pii/url-credentials.js";
import type { Finding } from "../types.js";

// `password = "..."`, `api_key: ...`, `"client_secret": "..."`, `export TOKEN=...`: the value only.
const ASSIGNMENT =
  /\b(password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|bearer|token)["']?\s{0,4}(?:[:=]|=>)\s{0,4}["']?([^\s"'`,;)}\]]{8,200})/gi;

// A template variable cut short by the value's end: "${SECRET", "{{ token", "$API_KEY".
const TEMPLATE_START = /^(?:\$\{|\{\{|<|%|\$[A-Za-z_])/;

/**
 * Secrets assigned to a key that names them (config files, env files, JSON, code). The value must
 * mix at least two of lower case, upper case, digits and symbols, so prose such as "password:
 * required" or "token: streaming" is not reported, and placeholders ("<token>", "${API_KEY}",
 * "xxxx") are not either.
 */
export function findAssignedSecrets(text: string): Finding[] {
  const found: Finding[] = [];
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m !== null; m = ASSIGNMENT.exec(text)) {
    const value = m[2]!;
    if (isPlaceholderSecret(value) || TEMPLATE_START.test(value) || classes(value) < 2) continue;
    const end = m.index + m[0].length;
    const key = m[1]!.toLowerCase();
    const kind = /^(?:password|passwd|pwd|passphrase)$/.test(key)
      ? "password-assignment"
      : "credential-assignment";
    found.push({ type: "SECRET", start: end - value.length, end, score: 0.8, detail: kind });
  }
  return found;
}

function classes(value: string): number {
  return [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
}
