/**
 * `guarded(provider, guard)`: a provider whose every call goes through the guard. User messages are
 * scanned as "input", tool results as "tool" (indirect injection), earlier assistant turns (text and
 * tool-call arguments) are redacted again so personal data the user saw goes back to the model as
 * placeholders; system messages are the application's own and are not scanned unless asked. A block
 * throws `GuardBlockedError` before the provider is called. The answer, its tool-call arguments
 * included, is scanned as "output", as a stream when streamed. With `redaction: "pseudonymize"` each
 * call gets a fresh vault, so the model sees `<PERSON_1>` and the caller gets the name back, in the
 * text and (JSON-escaped) in tool-call arguments.
 */
import type { ContentPart, Message, ModelRequest, Provider, StreamPart, ToolCall } from "../model/types.js";
import { type DecidedFinding, type Guard, GuardBlockedError, type VerdictRecord } from "./guard.js";
import { createNumbering, type Numbering, reserveNumbers } from "./placeholders.js";
import type { StreamScanner } from "./stream.js";
import type { TextSource } from "./types.js";
import { createVault, type StreamRestorer, type Vault } from "./vault.js";

export interface GuardedOptions {
  /** Also scan system messages (as "input", without looking for the guard's canaries). Default false. */
  scanSystem?: boolean;
  /** Scan the answer. Default true. */
  scanOutput?: boolean;
  /** Told every verdict of this wrapper's calls (besides the guard's own `onVerdict`). */
  onVerdict?: (record: VerdictRecord) => void;
}

/** What one call redacts with: a vault (pseudonymize) or a numbering shared by all its messages. */
interface CallState {
  vault: Vault | undefined;
  numbering: Numbering;
  onVerdict: ((record: VerdictRecord) => void) | undefined;
}

export function guarded(provider: Provider, guard: Guard, options: GuardedOptions = {}): Provider {
  const scanOutput = options.scanOutput ?? true;

  const prepare = (request: ModelRequest): { request: ModelRequest; call: CallState } => {
    const call: CallState = {
      vault: guard.redaction === "pseudonymize" ? createVault() : undefined,
      numbering: createNumbering(),
      onVerdict: options.onVerdict,
    };
    // Placeholders already in the conversation (shown to the user in earlier answers) are taken:
    // new values are numbered past them, so one placeholder never means two values.
    for (const text of messageTexts(request.messages)) reserve(call, text);
    const messages = request.messages.map((message) => guardMessage(guard, message, call, options));
    return { request: { ...request, messages }, call };
  };

  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request, callOptions) {
      const { request: sent, call } = prepare(request);
      const response = await provider.generate(sent, callOptions);
      let text = response.text;
      if (scanOutput && text !== "") text = checked(guard, text, "output", call);
      const toolCalls = response.toolCalls.map((c) => outputCall(guard, c, call, scanOutput));
      return { ...response, text: restore(call, text), toolCalls };
    },
    async *stream(request, callOptions) {
      const { request: sent, call } = prepare(request);
      const scan = scanOutput
        ? guard.stream({ source: "output", vault: call.vault, onVerdict: call.onVerdict })
        : undefined;
      const restorer = call.vault?.restorer();
      const argStreams = new Map<number, { scan?: StreamScanner; restorer?: StreamRestorer; id: string }>();
      let text = "";
      const pass = (piece: string): string => {
        const out = restorer === undefined ? piece : restorer.push(piece);
        text += out;
        return out;
      };
      const failIfBlocked = (s: StreamScanner | undefined) => {
        if (s?.blocked)
          throw new GuardBlockedError({ source: "output", findings: [...s.findings], policy: guard.policy });
      };
      for await (const part of provider.stream(sent, callOptions) as AsyncIterable<StreamPart>) {
        if (part.type === "text-delta") {
          const safe = pass(scan === undefined ? part.text : scan.push(part.text));
          failIfBlocked(scan);
          if (safe !== "") yield { type: "text-delta", text: safe };
        } else if (part.type === "tool-call-delta") {
          // Arguments stream through their own scanner and restorer, like the text.
          let arg = argStreams.get(part.index);
          if (arg === undefined) {
            arg = {
              id: part.id,
              scan: scanOutput
                ? guard.stream({ source: "output", vault: call.vault, onVerdict: call.onVerdict })
                : undefined,
              restorer: call.vault?.restorer({ json: true }),
            };
            argStreams.set(part.index, arg);
          }
          const scanned = arg.scan === undefined ? part.argumentsDelta : arg.scan.push(part.argumentsDelta);
          failIfBlocked(arg.scan);
          const out = arg.restorer === undefined ? scanned : arg.restorer.push(scanned);
          if (out !== "") yield { ...part, argumentsDelta: out };
        } else if (part.type === "tool-call") {
          const index = [...argStreams].find(([, a]) => a.id === part.toolCall.id)?.[0];
          const arg = index === undefined ? undefined : argStreams.get(index);
          if (arg !== undefined && index !== undefined) {
            let rest = arg.scan === undefined ? "" : arg.scan.end();
            failIfBlocked(arg.scan);
            rest = arg.restorer === undefined ? rest : arg.restorer.push(rest) + arg.restorer.flush();
            if (rest !== "") yield { type: "tool-call-delta", index, id: arg.id, argumentsDelta: rest };
          }
          yield { type: "tool-call", toolCall: outputCall(guard, part.toolCall, call, scanOutput) };
        } else if (part.type === "finish") {
          const tail = scan === undefined ? "" : scan.end();
          failIfBlocked(scan);
          let rest = pass(tail);
          if (restorer !== undefined) {
            const flushed = restorer.flush();
            text += flushed;
            rest += flushed;
          }
          if (rest !== "") yield { type: "text-delta", text: rest };
          const toolCalls = part.response.toolCalls.map((c) => outputCall(guard, c, call, scanOutput));
          yield { type: "finish", response: { ...part.response, text, toolCalls } };
        } else {
          yield part;
        }
      }
    },
  };
}

function reserve(call: CallState, text: string): void {
  if (call.vault === undefined) reserveNumbers(call.numbering, text);
  else call.vault.reserve(text);
}

function restore(call: CallState, text: string, json = false): string {
  return call.vault === undefined ? text : call.vault.restore(text, { json });
}

function messageTexts(messages: readonly Message[]): string[] {
  return messages.flatMap((m) => {
    if (typeof m.content !== "string") return m.content.flatMap((p) => (p.type === "text" ? [p.text] : []));
    const calls = m.role === "assistant" ? (m.toolCalls ?? []).map((c) => c.arguments) : [];
    return [m.content, ...calls];
  });
}

/** Scans `text`; throws when blocked, returns the redacted text otherwise. */
function checked(guard: Guard, text: string, source: TextSource, call: CallState, canaries = true): string {
  const verdict = guard.scan(text, {
    source,
    vault: call.vault,
    numbering: call.numbering,
    canaries,
    onVerdict: call.onVerdict,
  });
  if (verdict.text === null) throw new GuardBlockedError(verdict);
  return verdict.text;
}

/** A tool call of the answer: its arguments scanned as output (a canary sent out through a tool blocks), then restored. */
function outputCall(guard: Guard, toolCall: ToolCall, call: CallState, scan: boolean): ToolCall {
  const args =
    scan && toolCall.arguments !== ""
      ? checked(guard, toolCall.arguments, "output", call)
      : toolCall.arguments;
  return { ...toolCall, arguments: restore(call, args, true) };
}

function guardMessage(guard: Guard, message: Message, call: CallState, options: GuardedOptions): Message {
  switch (message.role) {
    case "system":
      return options.scanSystem
        ? { ...message, content: checked(guard, message.content, "input", call, false) }
        : message;
    case "tool":
      return { ...message, content: checked(guard, message.content, "tool", call) };
    case "assistant":
      // Earlier answers are not blocked again for what they said; they are redacted again, text and
      // tool-call arguments, so data the user saw goes back to the model as placeholders.
      return {
        ...message,
        content: redactHistory(guard, message.content, call),
        ...(message.toolCalls && {
          toolCalls: message.toolCalls.map((c) => ({
            ...c,
            arguments: redactHistory(guard, c.arguments, call),
          })),
        }),
      };
    case "user": {
      if (typeof message.content === "string")
        return { ...message, content: checked(guard, message.content, "input", call) };
      const texts = message.content.filter((p) => p.type === "text");
      if (texts.length <= 1) {
        return {
          ...message,
          content: message.content.map((p) =>
            p.type === "text" ? { ...p, text: checked(guard, p.text, "input", call) } : p,
          ),
        };
      }
      // Several text parts are read by the model as one text: scan them as one (a name split from
      // its context word across parts is still found), and send them as one part where the first was.
      const joined = checked(
        guard,
        texts.map((p) => (p.type === "text" ? p.text : "")).join(""),
        "input",
        call,
      );
      const first = message.content.indexOf(texts[0] as (typeof message.content)[number]);
      return {
        ...message,
        content: message.content.flatMap((p, i): ContentPart[] =>
          p.type !== "text" ? [p] : i === first ? [{ type: "text", text: joined }] : [],
        ),
      };
    }
  }
}

/**
 * Re-redacts an earlier assistant turn. Findings the output policy would block are withheld like
 * redactions (the text was shown already; it must not go back to the model), and a scanner error
 * withholds the whole text: this path fails closed too.
 */
function redactHistory(guard: Guard, text: string, call: CallState): string {
  if (text === "") return text;
  const findings = guard.evaluate(text, { source: "output", vault: call.vault });
  const withheld: DecidedFinding[] = findings.map((f) =>
    f.action === "block" ? { ...f, action: "redact" } : f,
  );
  return guard.redact(text, withheld, "input", call.vault, call.numbering);
}
