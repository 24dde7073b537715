#!/usr/bin/env node
import { isKeelError } from "../errors/index.js";
import { buildProgram } from "./program.js";

/** Exit 2 for what the user typed wrong (options, configuration), 1 for everything else. */
const USAGE = new Set(["INVALID_OPTION", "INVALID_REQUEST", "INVALID_CONFIG"]);

buildProgram()
  .parseAsync()
  .catch((error: unknown) => {
    if (isKeelError(error)) console.error(`keel: ${error.code}: ${error.message}`);
    else console.error(`keel: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = isKeelError(error) && USAGE.has(error.code) ? 2 : 1;
  });
