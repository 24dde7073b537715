/**
 * L2-regularised logistic regression by plain SGD, deterministic: the visiting order comes from a
 * seeded PRNG, the number of epochs is fixed, and every operation is ordinary IEEE double arithmetic
 * in a fixed order, so the same examples and seed give the same weights bit for bit.
 */

/** A training example: its distinct feature buckets (all of value 1 before normalisation) and label. */
export interface SparseExample {
  buckets: Int32Array;
  label: 0 | 1;
  /** Multiplies the example's loss; default 1. */
  weight?: number;
}

export interface LogisticOptions {
  dimensions: number;
  epochs: number;
  /** L2 penalty per example (lambda). */
  l2: number;
  /** Initial learning rate; decays as lr / (1 + lr * l2 * t). */
  learningRate: number;
  seed: number;
  /** Weigh the classes so each contributes equally to the loss. */
  balanced: boolean;
  /** Per-bucket feature scale (IDF); folded into the returned weights so inference needs no copy. */
  featureScale?: Float64Array;
}

export interface LinearModel {
  weights: Float64Array;
  bias: number;
}

/** mulberry32: a small, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates with the given PRNG. */
export function shuffled(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The raw score of an example under a model (features are 1/sqrt(count) each). */
export function margin(model: LinearModel, buckets: Int32Array): number {
  let sum = 0;
  for (let k = 0; k < buckets.length; k++) sum += model.weights[buckets[k]!]!;
  return model.bias + (buckets.length > 0 ? sum / Math.sqrt(buckets.length) : 0);
}

/**
 * Trains on `examples`. The weight vector is kept as scale * v so that the L2 shrink of every
 * weight after each step costs one multiplication instead of a pass over all buckets.
 */
export function trainLogistic(examples: readonly SparseExample[], options: LogisticOptions): LinearModel {
  const v = new Float64Array(options.dimensions);
  let scale = 1;
  let bias = 0;
  const random = mulberry32(options.seed);
  let positives = 0;
  for (const e of examples) positives += e.label;
  const negatives = examples.length - positives;
  const classWeight = [
    options.balanced && negatives > 0 ? examples.length / (2 * negatives) : 1,
    options.balanced && positives > 0 ? examples.length / (2 * positives) : 1,
  ] as const;
  const { l2, learningRate: lr0 } = options;
  const fs = options.featureScale;
  let t = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffled(examples.length, random);
    for (let o = 0; o < order.length; o++) {
      const e = examples[order[o]!]!;
      const n = e.buckets.length;
      const x = n > 0 ? 1 / Math.sqrt(n) : 0;
      let dot = 0;
      if (fs) for (let k = 0; k < n; k++) dot += v[e.buckets[k]!]! * fs[e.buckets[k]!]!;
      else for (let k = 0; k < n; k++) dot += v[e.buckets[k]!]!;
      const p = sigmoid(bias + scale * dot * x);
      const g = (p - e.label) * classWeight[e.label] * (e.weight ?? 1);
      const lr = lr0 / (1 + lr0 * l2 * t);
      scale *= 1 - lr * l2;
      if (scale < 1e-6) {
        for (let j = 0; j < v.length; j++) v[j]! *= scale;
        scale = 1;
      }
      const step = (lr * g * x) / scale;
      if (fs) for (let k = 0; k < n; k++) v[e.buckets[k]!]! -= step * fs[e.buckets[k]!]!;
      else for (let k = 0; k < n; k++) v[e.buckets[k]!]! -= step;
      bias -= lr * g;
      t++;
    }
  }
  for (let j = 0; j < v.length; j++) v[j]! *= scale * (fs ? fs[j]! : 1);
  return { weights: v, bias };
}

/** Weights as int8 with one scale; what the weights file stores. */
export interface QuantizedWeights {
  scale: number;
  values: Int8Array;
}

/** Rounds weights to int8, scaled so the largest magnitude maps to 127. */
export function quantize(weights: Float64Array): QuantizedWeights {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max > 0 ? max / 127 : 1;
  const values = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) values[i] = Math.round(weights[i]! / scale);
  return { scale, values };
}

/** Smoothed inverse document frequency per bucket: log((1 + N) / (1 + df)) + 1. */
export function idfWeights(examples: readonly SparseExample[], dimensions: number): Float64Array {
  const df = new Float64Array(dimensions);
  for (const e of examples) for (let k = 0; k < e.buckets.length; k++) df[e.buckets[k]!]! += 1;
  const out = new Float64Array(dimensions);
  for (let j = 0; j < dimensions; j++) out[j] = Math.log((1 + examples.length) / (1 + df[j]!)) + 1;
  return out;
}
