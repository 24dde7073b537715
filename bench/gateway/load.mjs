// The load generator of the gateway benchmark: one undici Pool (keep-alive) per target, requests
// sent with undici's low-level `dispatch` so that the time of the response headers, of the first
// body byte and of the end of the body are taken as they happen.
//
// - openLoop: a fixed rate. Request i is due at t0 + i/rate and its latency is measured from that
//   due time, not from when it was really sent, so a stall of the target (or of the generator)
//   shows in the figures instead of slowing the schedule down (no coordinated omission).
// - closedLoop: N connections, each sending its next request as soon as the previous one ends
//   (saturation, warm-up, the memory phase).
import { Pool } from "undici";

export const CHAT_PATH = "/v1/chat/completions";

/** The one request every target gets: a short support chat with an email address and a name. */
export function chatBody(stream) {
  return Buffer.from(
    JSON.stringify({
      model: "mock-small",
      max_tokens: 64,
      messages: [
        { role: "system", content: "You are a helpful support assistant for an online shop." },
        {
          role: "user",
          content:
            "Hi, I am Maria Rossi and my email is maria.rossi@example.com. Where is my order 4411? It was due on Monday.",
        },
      ],
      ...(stream ? { stream: true } : {}),
    }),
  );
}
export const PII_EMAIL = "maria.rossi@example.com";

/**
 * A target: where to send and with which headers. `connections` bounds the sockets the pool opens
 * (enough that the pool never queues at the rates and concurrencies used here).
 */
export function makeTarget({ name, origin, headers, pid, connections = 128 }) {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
  });
  const base = { "content-type": "application/json", ...headers };
  const bodies = { "non-stream": chatBody(false), stream: chatBody(true) };
  const reqs = {};
  for (const mode of Object.keys(bodies)) {
    reqs[mode] = {
      method: "POST",
      path: CHAT_PATH,
      headers: { ...base, "content-length": String(bodies[mode].length) },
      body: bodies[mode],
    };
  }
  return { name, origin, pid, pool, reqs, close: () => pool.close() };
}

const DONE_MARK = "data: [DONE]";

/**
 * Sends one request; `done(rec)` gets its times (performance.now() ms): `sent`, `first` (first
 * body byte), `end`, plus `status`, `ok` (200 and a complete answer: the mock's reply in a JSON
 * body, or a stream ending with [DONE]), `error`, and Keel's `x-keel-overhead-ms` when present.
 */
export function fire(target, mode, due, done, { capture = false } = {}) {
  const rec = {
    due,
    sent: performance.now(),
    first: 0,
    end: 0,
    status: 0,
    ok: false,
    error: null,
    overhead: null,
    text: null,
  };
  const stream = mode === "stream";
  let text = "";
  let tail = "";
  target.pool.dispatch(target.reqs[mode], {
    onRequestStart() {},
    onResponseStart(_c, status, headers) {
      rec.status = status;
      const o = headers["x-keel-overhead-ms"];
      if (o !== undefined) rec.overhead = Number(o);
    },
    onResponseData(_c, chunk) {
      if (rec.first === 0) rec.first = performance.now();
      if (stream && !capture) tail = (tail + chunk.latin1Slice(0, chunk.length)).slice(-64);
      else text += chunk.toString("utf8");
    },
    onResponseEnd() {
      rec.end = performance.now();
      if (stream && !capture) rec.ok = rec.status === 200 && tail.includes(DONE_MARK);
      else if (stream) rec.ok = rec.status === 200 && text.includes(DONE_MARK);
      else rec.ok = rec.status === 200 && text.includes("mock reply to");
      if (!rec.ok) rec.error = `HTTP ${rec.status}: ${(text || tail).slice(0, 200)}`;
      if (capture) rec.text = text;
      done(rec);
    },
    onResponseError(_c, error) {
      rec.end = performance.now();
      rec.error = error?.code ?? error?.message ?? String(error);
      done(rec);
    },
  });
}

export const fireOnce = (target, mode, options) =>
  new Promise((resolve) => fire(target, mode, performance.now(), resolve, options));

/**
 * `rate` requests per second for `leadInMs + durationMs`; the records of the lead-in (which opens
 * the connections and wakes the target up after it sat idle) are dropped.
 */
export function openLoop(target, mode, rate, durationMs, leadInMs) {
  const interval = 1000 / rate;
  const lead = Math.round((leadInMs * rate) / 1000);
  const total = lead + Math.round((durationMs * rate) / 1000);
  const recs = new Array(total - lead);
  return new Promise((resolve) => {
    let next = 0;
    let finished = 0;
    let timer;
    const t0 = performance.now() + 2;
    const onDone = (i) => (rec) => {
      if (i >= lead) recs[i - lead] = rec;
      if (++finished === total) {
        clearTimeout(timer);
        resolve(recs);
      } else dispatchDue();
    };
    // Sends everything due; called by the timer and after every response, so a late timer is
    // caught up at the next event. The send lag (sent - due) is recorded with each request.
    const dispatchDue = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        fire(target, mode, t0 + next * interval, onDone(next));
        next++;
      }
    };
    const tick = () => {
      dispatchDue();
      if (next < total) timer = setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    timer = setTimeout(tick, 2);
  });
}

/**
 * `connections` requests in flight at all times until `durationMs` has passed or `requests` have
 * been sent. `mode` is "non-stream", "stream" or "mix" (the two alternately). `every(n)` is called
 * each time n requests have completed (the memory phase samples RSS there).
 */
export function closedLoop(
  target,
  mode,
  connections,
  { durationMs = Infinity, requests = Infinity, every } = {},
) {
  return new Promise((resolve) => {
    const started = performance.now();
    const latencies = [];
    let sent = 0;
    let completed = 0;
    let errors = 0;
    let firstError = null;
    let inFlight = 0;
    let stopping = false;
    const launch = () => {
      if (stopping || sent >= requests || performance.now() - started >= durationMs) {
        stopping = true;
        if (inFlight === 0) {
          const elapsedMs = performance.now() - started;
          resolve({ completed, errors, firstError, elapsedMs, latencies });
        }
        return;
      }
      const m = mode === "mix" ? (sent % 2 ? "stream" : "non-stream") : mode;
      sent++;
      inFlight++;
      fire(target, m, performance.now(), (rec) => {
        inFlight--;
        completed++;
        if (!rec.ok) {
          errors++;
          firstError ??= rec.error;
        } else latencies.push(rec.end - rec.sent);
        if (every) every(completed);
        launch();
      });
    };
    for (let i = 0; i < connections; i++) launch();
  });
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const sortNum = (xs) => Float64Array.from(xs).sort();

/** Percentiles of one open-loop cell: full latency and first byte from the due time, send lag. */
export function summarise(recs) {
  const good = recs.filter((r) => r.ok);
  const errors = recs.length - good.length;
  const full = sortNum(good.map((r) => r.end - r.due));
  const ttfb = sortNum(good.map((r) => r.first - r.due));
  const service = sortNum(good.map((r) => r.end - r.sent));
  const lag = sortNum(good.map((r) => r.sent - r.due));
  const overhead = sortNum(good.filter((r) => r.overhead !== null).map((r) => r.overhead));
  // The rate the target really kept up with: answers over the time from the first due time to the last end.
  let first = Infinity;
  let last = 0;
  for (const r of recs) {
    if (r.due < first) first = r.due;
    if (r.end > last) last = r.end;
  }
  return {
    n: recs.length,
    achievedRps: (recs.length / (last - first)) * 1000,
    errors,
    firstError: recs.find((r) => !r.ok)?.error ?? null,
    p50: percentile(full, 50),
    p99: percentile(full, 99),
    ttfb50: percentile(ttfb, 50),
    ttfb99: percentile(ttfb, 99),
    service50: percentile(service, 50),
    lag50: percentile(lag, 50),
    lag99: percentile(lag, 99),
    overhead50: overhead.length ? percentile(overhead, 50) : null,
  };
}
