import { describe, expect, it } from "vitest";
import { commandsWithoutExamples } from "./examples.js";
import { buildProgram } from "./program.js";

describe("the keel command", () => {
  it("shows examples in the --help of every command", () => {
    const program = buildProgram();
    expect(commandsWithoutExamples(program)).toEqual([]);
    let help = "";
    const verify = program.commands
      .find((c) => c.name() === "audit")
      ?.commands.find((c) => c.name() === "verify");
    verify?.configureOutput({ writeOut: (s) => (help += s) });
    verify?.outputHelp();
    expect(help).toMatch(/Examples:\n {2}keel audit verify --db keel.db --vkey-file audit.vkey/);
  });
});
