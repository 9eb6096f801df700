/** Measuring helpers shared by the benchmark scenarios and their child processes. */
import { pathToFileURL } from 'node:url';

/** Whether the module at `moduleUrl` is the one this process was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Milliseconds since an arbitrary origin, with sub-millisecond precision. */
export function now(): number {
  return performance.now();
}

/** Samples the resident set size of this process until stopped, keeping the peak. */
export class RssSampler {
  #peak = process.memoryUsage.rss();
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 10) {
    this.#timer = setInterval(() => {
      this.sample();
    }, everyMs);
    this.#timer.unref();
  }

  /** Takes one sample now (call it at moments that matter, e.g. right after a phase). */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.#peak) this.#peak = rss;
  }

  /** Stops sampling and returns the peak in bytes. */
  stop(): number {
    this.sample();
    clearInterval(this.#timer);
    return this.#peak;
  }
}

/** Bytes as MB (2^20), one decimal. */
export function megabytes(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** A number rounded to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A count with thousands separators: 20000 → "20,000". */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** CPU time (user + system) this process used while `work` ran, in milliseconds. */
export async function withCpu<T>(work: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(before);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}

/** The median, minimum and maximum of repeated measurements of one figure. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every measurement, in the order taken. */
  readonly values: readonly number[];
}

/** The spread of `values` (at least one). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spreadOf: no measurement');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, values: [...values] };
}

/**
 * A spread as table text: the median with its unit, then the range and the number of runs, e.g.
 * `3,908 ms (3,850–4,010, 3 runs)`. `format` turns one number into text without its unit.
 */
export function formatSpread(
  spread: Spread,
  unit: string,
  format: (value: number) => string = count,
): string {
  const runs = spread.values.length;
  if (runs === 1) return `${format(spread.median)} ${unit} (1 run)`;
  return `${format(spread.median)} ${unit} (${format(spread.min)}–${format(spread.max)}, ${runs} runs)`;
}

/** Runs `measure` `runs` times, one after another, and returns every result. */
export async function repeatRuns<T>(
  runs: number,
  measure: (run: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(run));
  return results;
}
