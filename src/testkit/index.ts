/**
 * Test helpers for code built on Keel. They import vitest, so this folder is for test files only.
 */
export {
  type CheckpointerHarness,
  type ConformanceOptions,
  checkpointerConformance,
} from "./checkpointer-conformance.js";
export { useTempDirs } from "./temp-dirs.js";
