// The small IPC protocol every child of run.mjs answers (when started with an IPC channel):
// { type: "mem" } → its memory figures; { type: "stop" } → exits cleanly (so `--cpu-prof` is written).
// Preloaded into Portkey too (see portkey-preload.mjs), so the three processes report the same way.
export function answerIpc(extra = {}) {
  if (!process.send) return;
  process.on("message", async (m) => {
    if (!m || typeof m !== "object") return;
    if (m.type === "mem") {
      const before = process.memoryUsage();
      let afterGc = null;
      if (m.gc && typeof globalThis.gc === "function") {
        globalThis.gc();
        afterGc = process.memoryUsage().heapUsed;
      }
      process.send({
        id: m.id,
        rss: before.rss,
        heapUsed: before.heapUsed,
        heapTotal: before.heapTotal,
        external: before.external,
        heapUsedAfterGc: afterGc,
      });
    } else if (m.type === "stop") {
      try {
        await extra.stop?.();
      } finally {
        process.exit(0);
      }
    } else if (extra[m.type]) {
      process.send({ id: m.id, ...(await extra[m.type](m)) });
    }
  });
  // Exit when the parent goes away, whatever happened to it.
  process.on("disconnect", () => process.exit(0));
}
