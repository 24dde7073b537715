import { describe, expect, it } from "vitest";
import { createVault, guard, policy, scanner } from "./index.js";

function streamed(g: ReturnType<typeof guard>, text: string, size: number): string {
  const s = g.stream({ source: "output" });
  let out = "";
  for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
  return out + s.end();
}

const filler = "The train was late and the weather was bad. ".repeat(8);

describe("guard.stream()", () => {
  it("redacts a later mention of a name found more than a window earlier, as scan() does", () => {
    const g = guard();
    const text = `Dr. Zorblat Quenn arrived at the station. ${filler}Then Zorblat left for home.`;
    const whole = g.scan(text, { source: "output" }).text as string;
    expect(whole).not.toContain("Zorblat");
    expect(streamed(g, text, 5)).not.toContain("Zorblat");
  });
});

describe("guard.stream() findings longer than the window", () => {
  const conn =
    "Pwd=Sup3rS3cretPassw0rd!; User Id=admin_user; Database=customers_production_database_main; " +
    "Application Name=reporting; Server=db.internal.example.com; to connect";

  it("redacts the whole of a finding that crosses the cut, not only the part before it", () => {
    const g = guard();
    const whole = g.scan(conn, { source: "output" }).text as string;
    expect(whole).toBe("<SECRET_1>; to connect");
    const out = streamed(g, conn, 4);
    // The stream recorded a SECRET finding running to the end of the string, redacted only up to the
    // cut, and then passed the rest (user, server host) on in clear.
    expect(out).not.toContain("db.internal.example.com");
  });

  it("records one finding, at its real offsets, for one long secret", () => {
    const g = guard();
    const text = `Use Server=db.internal.example.com; Database=customers_production_database_main; User Id=admin_user; Password=Sup3rS3cretPassw0rd!; to connect and then go on with more words here`;
    const whole = g.scan(text, { source: "output" });
    const s = g.stream({ source: "output" });
    for (let i = 0; i < text.length; i += 4) s.push(text.slice(i, i + 4));
    s.end();
    expect(s.findings.map((f) => [f.type, f.start, f.end])).toEqual(
      whole.findings.map((f) => [f.type, f.start, f.end]),
    );
  });

  it("blocks a canary leaked in two halves with padding between them, as scan() does", () => {
    const g = guard();
    const secret = g.canary().token.slice(3);
    const text = `Here: ${secret.slice(0, 4)}${" .".repeat(150)} ${secret.slice(4, 8)} end`;
    expect(g.scan(text, { source: "output" }).action).toBe("block");
    const s = g.stream({ source: "output" });
    for (let i = 0; i < text.length; i += 3) s.push(text.slice(i, i + 3));
    s.end();
    expect(s.blocked).toBe(true);
  });
});

describe("policy lookups", () => {
  it("a finding type named like an Object.prototype member gets the policy default, not allow", () => {
    const p = policy({ id: "strict", rules: {}, default: "block" });
    expect(p.actionFor({ type: "constructor", start: 0, end: 1, score: 1 }, "input")).toBe("block");
    const g = guard({
      policy: p,
      scanners: [scanner("x", (t) => [{ type: "toString", start: 0, end: t.length, score: 1 }])],
    });
    expect(g.scan("abc", { source: "input" }).action).toBe("block");
  });
});

describe("redaction of merged spans", () => {
  it("does not make a secret restorable when a PII finding of equal score covers the same span", () => {
    const g = guard({ redaction: "pseudonymize" });
    const vault = createVault();
    const text = "Connect with postgres://admin:S3cr3tPass@db.internal:5432/app please";
    const verdict = g.scan(text, { source: "input", vault });
    expect(verdict.findings.some((f) => f.type === "SECRET")).toBe(true);
    // Secrets get one-way placeholders even in pseudonymize mode: nothing may restore the password.
    expect(vault.restore(verdict.text as string)).not.toContain("S3cr3tPass");
  });
});
