/**
 * What users and Keel's own tests need to test AI code deterministically, shipped as `keel/testkit`.
 *
 * Deliberately not exported here: the checkpointer conformance suite and `useTempDirs`
 * (`checkpointer-conformance.ts`, `temp-dirs.ts`), which import vitest and so are for test files
 * only; they are not part of the built package.
 */
export * from "./mock-llm/index.js";
