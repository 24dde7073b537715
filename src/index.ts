// The public API of Keel. Each module is also importable on its own (`keel/graph`, `keel/db`, ...).
export * from "./errors/index.js";
export * from "./graph/index.js";
// `keel/db` (connections and migrations) is deliberately not re-exported here: it is plumbing for
// store backends, not something an application calls.
