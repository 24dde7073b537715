/**
 * Checkpoints as C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key id || Ed25519 signature)>\n
 *
 * The key id is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key), 0x01 naming
 * Ed25519. A verifier needs only the public key in "vkey" form: `<name>+<hex key id>+<base64(0x01 ||
 * public key)>`. Signing uses node:crypto; the private key never enters the audit database.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { KeelError } from "../errors/index.js";

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const ED25519 = 0x01;
const DASH = "\u2014";

function rawPublicKey(key: KeyObject): Buffer {
  // The SPKI DER of an Ed25519 key ends with the 32 raw key bytes.
  return (key.export({ format: "der", type: "spki" }) as Buffer).subarray(-32);
}

function keyId(name: string, publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([ED25519]), rawPublicKey(publicKey)]))
    .digest()
    .subarray(0, 4);
}

function checkName(name: string): void {
  if (!/^[^\s+]+$/u.test(name)) {
    throw new KeelError(
      "INVALID_OPTION",
      `A signing key name has no spaces or "+", got ${JSON.stringify(name)}.`,
    );
  }
}

/** A new Ed25519 signing key; `privateKeyPem` is what to keep secret, `vkey` what to give verifiers. */
export function generateSigningKey(name: string): { privateKeyPem: string; vkey: string } {
  checkName(name);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    vkey: verifierKey({ name, publicKey }),
  };
}

/** A signer from a PKCS#8 PEM private key. */
export function noteSigner(name: string, privateKeyPem: string | KeyObject): NoteSigner {
  checkName(name);
  let privateKey: KeyObject;
  try {
    privateKey = typeof privateKeyPem === "string" ? createPrivateKey(privateKeyPem) : privateKeyPem;
  } catch (cause) {
    throw new KeelError(
      "INVALID_KEY",
      "The audit signing key is not a PEM private key; create one with `keel audit keygen`.",
      { cause },
    );
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new KeelError(
      "INVALID_KEY",
      `The audit signing key must be Ed25519, got ${privateKey.asymmetricKeyType}.`,
    );
  }
  return { name, privateKey, publicKey: createPublicKey(privateKey) };
}

export function verifierKey(signer: Pick<NoteSigner, "name" | "publicKey">): string {
  const raw = Buffer.concat([Buffer.from([ED25519]), rawPublicKey(signer.publicKey)]);
  return `${signer.name}+${keyId(signer.name, signer.publicKey).toString("hex")}+${raw.toString("base64")}`;
}

export interface Verifier {
  name: string;
  id: Buffer;
  publicKey: KeyObject;
}

/** Parses a vkey (`name+hexid+base64key`), checking that its id matches its key. */
export function parseVerifierKey(vkey: string): Verifier {
  const bad = (why: string) =>
    new KeelError(
      "INVALID_KEY",
      `Not a verifier key (${why}): expected name+keyid+base64, as \`keel audit keygen\` prints.`,
    );
  // The base64 key may itself hold "+": split at the first two only.
  const match = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!match) throw bad("three parts");
  const [, name, hexId, b64] = match as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, "base64");
  if (raw.length !== 33 || raw[0] !== ED25519) throw bad("an Ed25519 key");
  const publicKey = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw.subarray(1)]),
    format: "der",
    type: "spki",
  });
  const id = keyId(name, publicKey);
  if (id.toString("hex") !== hexId.toLowerCase()) throw bad("its key id does not match its key");
  return { name, id, publicKey };
}

export function checkpointBody(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString("base64")}\n`;
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  const body = checkpointBody(c);
  const signature = sign(null, Buffer.from(body), signer.privateKey);
  const blob = Buffer.concat([keyId(signer.name, signer.publicKey), signature]).toString("base64");
  return `${body}\n${DASH} ${signer.name} ${blob}\n`;
}

export type NoteCheck =
  | { ok: true; checkpoint: Checkpoint }
  | { ok: false; problem: "malformed" | "unsigned" | "bad-signature"; detail: string };

/** Parses a signed checkpoint note and checks it carries a valid signature by `verifier`. */
export function openCheckpoint(note: string, verifier: Verifier): NoteCheck {
  const split = note.indexOf("\n\n");
  if (split < 0)
    return {
      ok: false,
      problem: "malformed",
      detail: "no blank line between the checkpoint and its signatures",
    };
  const body = note.slice(0, split + 1);
  const lines = body.split("\n");
  const [origin, sizeText, rootText] = lines;
  const size = Number(sizeText);
  const root = Buffer.from(rootText ?? "", "base64");
  if (!origin || !/^\d+$/.test(sizeText ?? "") || !Number.isSafeInteger(size) || root.length !== 32) {
    return {
      ok: false,
      problem: "malformed",
      detail: "the first three lines must be origin, tree size and a base64 SHA-256 root",
    };
  }
  const signatures = note
    .slice(split + 2)
    .split("\n")
    .filter((l) => l !== "");
  let named = false;
  for (const line of signatures) {
    const match = new RegExp(`^${DASH} (\\S+) (\\S+)$`, "u").exec(line);
    if (!match || match[1] !== verifier.name) continue;
    const blob = Buffer.from(match[2] as string, "base64");
    if (blob.length !== 68 || !blob.subarray(0, 4).equals(verifier.id)) continue;
    named = true;
    if (verify(null, Buffer.from(body), verifier.publicKey, blob.subarray(4))) {
      return { ok: true, checkpoint: { origin, size, root } };
    }
  }
  return named
    ? {
        ok: false,
        problem: "bad-signature",
        detail: `the signature by ${verifier.name} does not match the checkpoint`,
      }
    : {
        ok: false,
        problem: "unsigned",
        detail: `no signature by ${verifier.name} (key ${verifier.id.toString("hex")})`,
      };
}
