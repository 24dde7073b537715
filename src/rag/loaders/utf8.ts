/** Decodes UTF-8 strictly (a leading byte order mark is dropped); on bad bytes, says where the first is. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { badByteOffset: number } {
  try {
    // TextDecoder's default (ignoreBOM: false) consumes a leading BOM, which is what we want.
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { badByteOffset: firstBadByte(bytes) };
  }
}

/**
 * Offset of the first byte of the first invalid sequence. A streaming fatal decoder accepts any
 * prefix that could still become valid, so "prefix accepted" is monotonic and a binary search finds
 * the first prefix that fails; the bad sequence then starts at the last clean boundary before it.
 */
function firstBadByte(bytes: Uint8Array): number {
  let good = 0; // longest prefix known to be accepted
  let bad = bytes.length; // a prefix length known to fail (or the whole input, incomplete at its end)
  if (acceptsPrefix(bytes, bad)) return lastCleanBoundary(bytes, bad); // only the ending is truncated
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    if (acceptsPrefix(bytes, mid)) good = mid;
    else bad = mid;
  }
  return lastCleanBoundary(bytes, bad - 1);
}

function acceptsPrefix(bytes: Uint8Array, length: number): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
    return true;
  } catch {
    return false;
  }
}

// A sequence is at most 4 bytes long, so this looks back at most 3 positions.
function lastCleanBoundary(bytes: Uint8Array, from: number): number {
  for (let at = from; at > Math.max(0, from - 3); at--) {
    if (isComplete(bytes, at)) return at;
  }
  return Math.max(0, from - 3);
}

function isComplete(bytes: Uint8Array, length: number): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length));
    return true;
  } catch {
    return false;
  }
}
