import { describe, expect, it } from "vitest";
import { secretsScanner } from "./index.js";

const ctx = { source: "input" as const };
const scan = secretsScanner();

/** What the scanner finds in `text`, as [detail, matched text]. */
function secrets(text: string, options: Parameters<typeof secretsScanner>[0] = {}) {
  return secretsScanner(options)(text, ctx).map((f) => [f.detail, text.slice(f.start, f.end)]);
}

// Fake credentials, built from parts so that no key-shaped literal sits in the repository. The
// filler is deterministic pseudo-random base62 (or the given alphabet), like real keys.
function filler(length: number, seed: number, alphabet = BASE62): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const base64url = (s: string) => Buffer.from(s).toString("base64url");

const fakes = {
  "openai-key": `sk-${"proj-"}${filler(74, 1, `${BASE62}_-`)}T3BlbkFJ${filler(74, 2, `${BASE62}_-`)}`,
  "anthropic-key": `sk-${"ant-"}api03-${filler(93, 3, `${BASE62}_-`)}AA`,
  "aws-access-key": `${"AK"}IA${filler(16, 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
  "github-token": `${"gh"}p_${filler(36, 5)}`,
  "gitlab-token": `${"gl"}pat-${filler(20, 6)}`,
  "slack-token": `${"xo"}xb-1234567890123-1234567890123-${filler(24, 7)}`,
  "stripe-key": `${"sk"}_live_${filler(99, 8)}`,
  "google-api-key": `${"AI"}za${filler(35, 9, `${BASE62}_-`)}`,
  "huggingface-token": `${"hf"}_${filler(34, 10)}`,
  "npm-token": `${"np"}m_${filler(36, 11)}`,
  "sendgrid-key": `${"SG"}.${filler(22, 16, `${BASE62}_-`)}.${filler(43, 17, `${BASE62}_-`)}`,
  "digitalocean-token": `${"do"}p_v1_${filler(64, 18, "0123456789abcdef")}`,
  "pypi-token": `${"py"}pi-AgEIcHlwaS5vcmc${filler(70, 19, `${BASE62}_-`)}`,
  "google-oauth-secret": `${"GO"}CSPX-${filler(28, 20, `${BASE62}_-`)}`,
  "slack-webhook": `https://hooks.slack.com/services/T${filler(10, 21, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}/B${filler(10, 22, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}/${filler(24, 23)}`,
  jwt: `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"1234567890","name":"Test User","iat":1516239022}')}.${filler(43, 12, `${BASE62}_-`)}`,
};

describe("secretsScanner: provider formats", () => {
  it.each(Object.entries(fakes))("finds a %s with its kind and exact offsets", (kind, key) => {
    const text = `config:\n  value ${key}\n`;
    const start = text.indexOf(key);
    expect(scan(text, ctx)).toEqual([
      { type: "SECRET", start, end: start + key.length, score: expect.any(Number), detail: kind },
    ]);
  });

  it("finds an AWS secret key by its label, reporting only the value", () => {
    const value = filler(40, 13, `${BASE62}/+`);
    const text = `aws_secret_access_key = ${value}`;
    expect(secrets(text)).toEqual([["aws-secret-key", value]]);
  });

  it("does not take look-alikes for keys: too short, glued to other text, or the wrong alphabet", () => {
    expect(secrets("pip install scikit-learn; use sk-learn or sk-12345")).toEqual([]);
    expect(secrets(`prefix${fakes["github-token"]}`)).not.toContainEqual(["github-token", expect.anything()]);
    expect(secrets(`${"gh"}p_${filler(20, 14)}`)).toEqual([]);
  });

  it("scores a live Stripe key above a test one", () => {
    const live = scan(`k ${"sk"}_live_${filler(24, 15)}`, ctx)[0]!;
    const test = scan(`k ${"sk"}_test_${filler(24, 15)}`, ctx)[0]!;
    expect(live.score).toBeGreaterThan(test.score);
  });
});

describe("secretsScanner: private keys, connection strings, assignments", () => {
  const body = Array.from({ length: 6 }, (_, i) => filler(64, 20 + i, `${BASE62}+/`)).join("\n");

  it("finds a PEM private key from BEGIN to END, and a truncated one to the end of its body", () => {
    const pem = `-----BEGIN ${"RSA PRIVATE"} KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const text = `Here is my key:\n${pem}\nthanks`;
    expect(secrets(text)).toEqual([["private-key", pem]]);
    const cut = `-----BEGIN ${"OPENSSH PRIVATE"} KEY-----\n${body.slice(0, 100)}`;
    expect(secrets(`${cut}\n\nwhat is wrong?`)).toEqual([["private-key", cut]]);
  });

  it("does not report a public key or a certificate", () => {
    expect(secrets(`-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`)).toEqual([]);
    expect(secrets(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`)).toEqual([]);
    expect(
      secrets(`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${filler(43, 31, `${BASE62}+/`)} me@laptop`),
    ).toEqual([]);
    expect(secrets(`random ${body.slice(0, 64)}`)).toEqual([["high-entropy", body.slice(0, 64)]]);
  });

  it("finds whole connection strings with a password, URL and key=value forms", () => {
    const url = "postgres://app:Zx9qLm2w@db.internal:5432/shop?sslmode=require";
    expect(secrets(`DATABASE_URL=${url}.`)).toEqual([["connection-string", url]]);
    const ado = "Server=db01.example.net;Database=shop;User Id=app;Password=Tr0ub4dor&3";
    expect(secrets(`use "${ado};" to connect`)).toEqual([["connection-string", ado]]);
    const azure = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${filler(86, 30, `${BASE62}+/`)}==`;
    expect(secrets(azure)).toEqual([["connection-string", azure]]);
    const web = "https://deploy:hunter2x@example.com/hook";
    expect(secrets(`curl ${web}`)).toEqual([["url-credentials", web]]);
  });

  it("does not report connection strings without a password or with a placeholder", () => {
    expect(secrets("postgres://app@db.internal/shop and mongodb://localhost:27017")).toEqual([]);
    expect(secrets(`postgres://app:\${DB_PASSWORD}@db/shop and mysql://root:<password>@h/db`)).toEqual([]);
    expect(secrets("Server=db01;Database=shop;Integrated Security=true")).toEqual([]);
  });

  it("finds a secret assigned to a key that names it, not prose or placeholders", () => {
    expect(secrets('password = "Hunter2-Rocks!"')).toEqual([["password-assignment", "Hunter2-Rocks!"]]);
    expect(secrets("API_KEY=9f8e7d6c5b4a3f2e")).toEqual([["credential-assignment", "9f8e7d6c5b4a3f2e"]]);
    expect(secrets(`password: required, token: streaming, api_key: <your-key>, secret=\${SECRET}`)).toEqual(
      [],
    );
    expect(secrets("x", { assignments: false })).toEqual([]);
  });
});

describe("secretsScanner: high-entropy tokens", () => {
  it("finds a random-looking token in prose", () => {
    const token = filler(40, 40);
    expect(secrets(`the value is ${token} for staging`)).toEqual([["high-entropy", token]]);
    expect(secrets(`the value is ${token} for staging`, { highEntropy: false })).toEqual([]);
  });

  it("leaves hashes, UUIDs, identifiers, paths, domains and words alone", () => {
    const sha = filler(40, 41, "0123456789abcdef");
    expect(secrets(`commit ${sha} fixed it`)).toEqual([]);
    expect(secrets("request 123e4567-e89b-12d3-a456-426614174000 failed")).toEqual([]);
    expect(secrets("call getUserAccountSettingsById2024 from ThisIsAVeryLongCamelCaseName123")).toEqual([]);
    expect(
      secrets("see src/guard/pii/person-context.ts and docs.example.com/Guide2024Version1.html"),
    ).toEqual([]);
    expect(secrets("Pneumonoultramicroscopicsilicovolcanoconiosis is a long word")).toEqual([]);
    expect(secrets(`invoice in_${filler(24, 42)} is paid`)).toEqual([]); // an object id, not a key
  });

  it("prefers the provider kind over high-entropy for the same characters", () => {
    expect(secrets(`token ${fakes["stripe-key"]}`)).toEqual([["stripe-key", fakes["stripe-key"]]]);
  });
});

describe("secretsScanner", () => {
  it("has id secrets and never puts the value in detail", () => {
    expect(scan.id).toBe("secrets");
    const text = Object.values(fakes).join("\n");
    const findings = scan(text, ctx);
    expect(findings).toHaveLength(Object.keys(fakes).length);
    for (const f of findings) {
      expect(f.type).toBe("SECRET");
      expect(f.score).toBeGreaterThan(0);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.detail).not.toContain(text.slice(f.start, f.end));
      expect(f.detail).toMatch(/^[a-z0-9-]+$/);
    }
  });
});
