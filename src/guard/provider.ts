/**
 * `guarded(provider, guard)`: a provider whose every call goes through the guard. User messages are
 * scanned as "input", tool results as "tool" (indirect injection), earlier assistant turns as
 * "output" (so personal data the user saw is pseudonymized again before it goes back to the model);
 * system messages are the application's own and are not scanned. A block throws `GuardBlockedError`
 * before the provider is called. The answer is scanned as "output", as a stream when streamed, and
 * with `redaction: "pseudonymize"` each call gets a fresh vault, so the model sees `<PERSON_1>` and the
 * caller gets the name back, in the text and in tool-call arguments.
 */
import type { Message, ModelRequest, ModelResponse, Provider, StreamPart, ToolCall } from "../model/types.js";
import { type Guard, GuardBlockedError } from "./guard.js";
import type { TextSource } from "./types.js";
import { createVault, type Vault } from "./vault.js";

export interface GuardedOptions {
  /** Also scan system messages (as "input"). Default false: they are the application's own text. */
  scanSystem?: boolean;
  /** Scan the answer. Default true. */
  scanOutput?: boolean;
}

export function guarded(provider: Provider, guard: Guard, options: GuardedOptions = {}): Provider {
  const scanOutput = options.scanOutput ?? true;

  const prepare = (request: ModelRequest): { request: ModelRequest; vault: Vault | undefined } => {
    const vault = guard.redaction === "pseudonymize" ? createVault() : undefined;
    const messages = request.messages.map((message) => guardMessage(guard, message, vault, options));
    return { request: { ...request, messages }, vault };
  };

  const restoreCalls = (calls: ToolCall[], vault: Vault | undefined): ToolCall[] =>
    vault === undefined
      ? calls
      : calls.map((call) => ({ ...call, arguments: vault.restore(call.arguments) }));

  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request, callOptions) {
      const prepared = prepare(request);
      const response = await provider.generate(prepared.request, callOptions);
      return finishResponse(guard, response, prepared.vault, scanOutput, restoreCalls);
    },
    async *stream(request, callOptions) {
      const prepared = prepare(request);
      const { vault } = prepared;
      const scan = scanOutput ? guard.stream({ source: "output", vault }) : undefined;
      const restorer = vault?.restorer();
      let text = "";
      const pass = (piece: string): string => {
        const out = restorer === undefined ? piece : restorer.push(piece);
        text += out;
        return out;
      };
      for await (const part of provider.stream(prepared.request, callOptions) as AsyncIterable<StreamPart>) {
        if (part.type === "text-delta") {
          const safe = pass(scan === undefined ? part.text : scan.push(part.text));
          if (scan?.blocked)
            throw new GuardBlockedError({
              source: "output",
              findings: [...scan.findings],
              policy: guard.policy,
            });
          if (safe !== "") yield { type: "text-delta", text: safe };
        } else if (part.type === "finish") {
          const tail = scan === undefined ? "" : scan.end();
          if (scan?.blocked)
            throw new GuardBlockedError({
              source: "output",
              findings: [...scan.findings],
              policy: guard.policy,
            });
          let rest = pass(tail);
          if (restorer !== undefined) {
            const flushed = restorer.flush();
            text += flushed;
            rest += flushed;
          }
          if (rest !== "") yield { type: "text-delta", text: rest };
          yield {
            type: "finish",
            response: { ...part.response, text, toolCalls: restoreCalls(part.response.toolCalls, vault) },
          };
        } else if (part.type === "tool-call") {
          yield { type: "tool-call", toolCall: restoreCalls([part.toolCall], vault)[0] as ToolCall };
        } else {
          yield part;
        }
      }
    },
  };
}

function guardMessage(
  guard: Guard,
  message: Message,
  vault: Vault | undefined,
  options: GuardedOptions,
): Message {
  const source: TextSource | undefined =
    message.role === "user"
      ? "input"
      : message.role === "tool"
        ? "tool"
        : message.role === "assistant"
          ? "output"
          : options.scanSystem
            ? "input"
            : undefined;
  if (source === undefined) return message;
  const check = (text: string): string => {
    const verdict = guard.scan(text, { source, vault });
    if (verdict.text === null) throw new GuardBlockedError(verdict);
    return verdict.text;
  };
  if (typeof message.content === "string") {
    // Earlier assistant turns are not blocked again for what they said; they are only re-redacted.
    if (message.role === "assistant")
      return { ...message, content: redactOnly(guard, message.content, vault) };
    return { ...message, content: check(message.content) } as Message;
  }
  if (message.role !== "user") return message;
  return {
    ...message,
    content: message.content.map((part) =>
      part.type === "text" ? { ...part, text: check(part.text) } : part,
    ),
  };
}

function redactOnly(guard: Guard, text: string, vault: Vault | undefined): string {
  // Input-side redaction: the user's own data from earlier turns gets its placeholder again.
  return guard.redact(text, guard.evaluate(text, { source: "output", vault }), "input", vault);
}

function finishResponse(
  guard: Guard,
  response: ModelResponse,
  vault: Vault | undefined,
  scanOutput: boolean,
  restoreCalls: (calls: ToolCall[], vault: Vault | undefined) => ToolCall[],
): ModelResponse {
  let text = response.text;
  if (scanOutput && text !== "") {
    const verdict = guard.scan(text, { source: "output", vault });
    if (verdict.text === null) throw new GuardBlockedError(verdict);
    text = verdict.text;
  }
  return {
    ...response,
    text: vault === undefined ? text : vault.restore(text),
    toolCalls: restoreCalls(response.toolCalls, vault),
  };
}
