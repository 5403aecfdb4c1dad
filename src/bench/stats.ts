/** Latency figures from timed samples. */
export interface Latency {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
}

export function latency(samplesMs: number[]): Latency {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return { samples: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), mean: round(mean) };
}

/** Runs `work` once per item, timing each call alone (in milliseconds). */
export async function timeEach<T>(
  items: T[],
  work: (item: T) => Promise<unknown>,
): Promise<number[]> {
  const samples: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await work(item);
    samples.push(performance.now() - started);
  }
  return samples;
}

export function round(x: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(x * factor) / factor;
}
