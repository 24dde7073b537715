import { findCredentialUrls } from "../pii/url-credentials.js";
import type { Finding } from "../types.js";

// Schemes of databases, queues and caches: a URL of theirs with a password is a connection string.
const DATA_SCHEMES =
  /^(?:postgres(?:ql)?|mysql|mysqlx|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|jdbc:[a-z0-9]+|clickhouse|cockroachdb|couchdbs?|neo4j(?:\+s)?|bolt|snowflake|cassandra|memcached|nats|mqtts?|kafka|ldaps?|smtps?|ftps?|sftp)$/;
const PASSWORD_KEY = /\b(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*(?=[^;\s"'])/gi;
// Keys that open a key=value connection string (ADO.NET, ODBC, JDBC properties, Azure).
const OPENING_KEY =
  /\b(?:server|data source|host|hostname|address|addr|endpoint|provider|driver|dsn|defaultendpointsprotocol|accountname|database|initial catalog|uid|user id|user|username)\s*=/gi;
// key=value pairs separated by semicolons, up to a quote, a newline or the end of the pairs.
const PAIRS = /(?:[\w .-]{1,40}=[^;\n\r"'`<>]{0,512}(?:;[ \t]?|(?=[\n\r"'`<>]|$))){1,40}/y;
const SERVER_PAIR = /(?:^|;)\s*(?:server|data source|host|hostname|address|endpoint|accountname)\s*=/i;
const MAX_LOOKBACK = 1024;

/**
 * Connection strings that carry a password, whole: URLs (`postgres://user:pw@host/db`; other schemes
 * with a password are reported as "url-credentials") and key=value strings
 * (`Server=db;User Id=sa;Password=...;`, Azure's `AccountKey=...`).
 */
export function findConnectionStrings(text: string): Finding[] {
  const found: Finding[] = [];
  for (const url of findCredentialUrls(text)) {
    const kind = DATA_SCHEMES.test(url.scheme) ? "connection-string" : "url-credentials";
    found.push({ type: "SECRET", start: url.start, end: url.end, score: 0.95, detail: kind });
  }
  // Text before `scanned` was already looked at for an earlier password: each character is looked
  // back over once, so a megabyte of "Password=x;" stays linear.
  let scanned = 0;
  PASSWORD_KEY.lastIndex = 0;
  for (let m = PASSWORD_KEY.exec(text); m !== null; m = PASSWORD_KEY.exec(text)) {
    if (m.index < scanned) continue;
    const value = /^[^;\n\r"'`<>]*/.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 512))![0];
    if (/\s/.test(value.trim())) continue; // "password=hunter2 is weak": prose, not a key=value string
    let start = openingKey(text, m.index, scanned);
    PAIRS.lastIndex = start === -1 ? m.index : start;
    const pairs = PAIRS.exec(text);
    scanned = m.index + m[0].length;
    if (pairs === null) continue;
    scanned = Math.max(scanned, PAIRS.lastIndex);
    if (start === -1) {
      // "Password=...;Server=..." opens with the password: a connection string if a server follows.
      if (!SERVER_PAIR.test(pairs[0])) continue;
      start = m.index;
    }
    let run = pairs[0].replace(/[;\s]+$/, "");
    // The last pair has no ";" after it: its value ends at the first space, before any prose.
    if (!pairs[0].trimEnd().endsWith(";")) run = run.replace(/=(\S*)\s[^;=]*$/, "=$1");
    const end = start + run.length;
    if (end <= m.index + m[0].length) continue;
    found.push({ type: "SECRET", start, end, score: 0.9, detail: "connection-string" });
  }
  return found;
}

/** Where the connection string holding the password at `at` opens, or -1 if it does not look like one. */
function openingKey(text: string, at: number, from: number): number {
  let lineStart = at;
  while (lineStart > from && at - lineStart < MAX_LOOKBACK && !"\n\r\"'`<>".includes(text[lineStart - 1]!))
    lineStart--;
  const before = text.slice(lineStart, at);
  if (!before.includes(";")) return -1;
  OPENING_KEY.lastIndex = 0;
  for (let m = OPENING_KEY.exec(before); m !== null; m = OPENING_KEY.exec(before)) {
    // The opening key must begin the run of pairs that reaches the password.
    if (/^(?:[^;=]{1,40}=[^;]*;\s?)+$/.test(before.slice(m.index))) return lineStart + m.index;
  }
  return -1;
}
