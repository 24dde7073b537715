// Helpers every benchmark script shares: progress on stderr, one JSON line of results per
// measurement on stdout, medians and rounding.
export const log = (...a) => console.error(...a);
export const emit = (o) => console.log(JSON.stringify(o));
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const round = (x, d = 4) => (x === null || x === undefined ? null : Number(x.toFixed(d)));
