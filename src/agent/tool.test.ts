import { describe, expect, it } from "vitest";
import { z } from "zod";
import { callTool, tool } from "./index.js";

const weather = tool({
  name: "get_weather",
  description: "Current weather for a city",
  input: z.object({ city: z.string().min(2), unit: z.enum(["c", "f"]).default("c") }),
  run: ({ city, unit }) => ({ city, unit, temp: 21 }),
});

describe("tools", () => {
  it("shows the model a JSON Schema of the input", () => {
    expect(weather.spec).toMatchObject({
      name: "get_weather",
      description: "Current weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    });
  });

  it("validates the arguments before run, applying defaults", async () => {
    const out = await callTool([weather], { id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}' });
    expect(out).toMatchObject({ ok: true, callId: "c1", value: { city: "Oslo", unit: "c", temp: 21 } });
    expect(out.content).toBe('{"city":"Oslo","unit":"c","temp":21}');
  });

  it("returns what the model got wrong as a tool result instead of throwing", async () => {
    let ran = false;
    const guarded = tool({ ...weather, run: () => (ran = true) });
    const bad = await callTool([guarded], {
      id: "c2",
      name: "get_weather",
      arguments: '{"city":"O","unit":"k"}',
    });
    expect(bad).toMatchObject({ ok: false, error: "invalid-arguments" });
    expect(bad.content).toMatch(/city: Too small/);
    expect(bad.content).toMatch(/unit: Invalid option/);
    expect(ran).toBe(false);
    const broken = await callTool([guarded], { id: "c3", name: "get_weather", arguments: '{"city":' });
    expect(broken).toMatchObject({ ok: false, error: "invalid-arguments" });
    expect(broken.content).toMatch(/not valid JSON/);
    const invented = await callTool([guarded], { id: "c4", name: "get_wether", arguments: "{}" });
    expect(invented).toMatchObject({ ok: false, error: "unknown-tool" });
    expect(invented.content).toBe(
      'Error: there is no tool named "get_wether". Available tools: get_weather.',
    );
  });

  it("a tool that throws becomes an error result; a cancellation rejects", async () => {
    const flaky = tool({
      name: "flaky",
      description: "fails",
      input: z.object({}),
      run: () => {
        throw new Error("upstream 503");
      },
    });
    const out = await callTool([flaky], { id: "c5", name: "flaky", arguments: "" });
    expect(out).toMatchObject({
      ok: false,
      error: "tool-failed",
      content: 'Error: the tool "flaky" failed: upstream 503.',
    });
    const slow = tool({
      name: "slow",
      description: "waits",
      input: z.object({}),
      run: (_i, ctx) =>
        new Promise((_r, reject) =>
          ctx.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
    });
    const controller = new AbortController();
    const pending = callTool(
      [slow],
      { id: "c6", name: "slow", arguments: "{}" },
      { signal: controller.signal },
    );
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });

  it("refuses names model APIs would refuse", () => {
    expect(() => tool({ ...weather, name: "get weather" })).toThrow(/not allowed/);
  });
});
