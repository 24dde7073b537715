// The public API of Keel. Each module is also importable on its own (`keel/graph`, `keel/model`, ...).
export * from "./agent/index.js";
export * from "./audit/index.js";
export * from "./errors/index.js";
export * from "./graph/index.js";
export * from "./guard/index.js";
export * from "./model/index.js";
export * from "./rag/index.js";
// Deliberately not re-exported here: `keel/db` (connections and migrations, plumbing for store
// backends) and `keel/testkit` (test helpers: the mock LLM server), which applications import
// explicitly where they need them.
