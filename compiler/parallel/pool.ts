import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * A small pool of worker threads (one per core, at least two cores) for the CPU-bound parts of
 * a compile whose items are independent: loading YAML files, building docs pages, rendering
 * the runbook workflows and the resume workflow's jobs, and printing the graphs. The
 * compiler's API is synchronous, so the calling thread posts a job, does other work, and then
 * waits for the items with `Atomics.wait`, collecting them with `receiveMessageOnPort`.
 *
 * Items are claimed one at a time from a shared counter, so no worker idles while another still
 * has items, and a worker that is still starting simply takes fewer items (or none). Workers run
 * the same code on the same input (see `worker.ts`), so an item's result does not depend on the
 * thread that made it. Whatever the workers do not deliver — an error, a result the caller's
 * `decode` refuses, or nothing at all for `stallMs` — is computed on the calling thread, so
 * errors surface exactly as they would without workers. If no worker has delivered anything
 * `startMs` after the job was posted, the calling thread starts taking items too.
 *
 * Workers start on first use and are kept (unref'd: they never keep the process alive) for the
 * next compile in the same process. They exist only in the built JavaScript: when the TypeScript
 * sources run under a test runner there is no worker file, and everything runs inline, as it does
 * with `RUNBOOK_WORKERS=0` (test/compiler/parallel.test.ts checks both give the same output).
 */

/** The tasks a worker knows (see `worker.ts`). */
export type TaskName = 'load-files' | 'graph-pages' | 'runbook-workflows' | 'graph-files' | 'resume-jobs';

/** One job as each worker receives it. */
export interface Job {
  readonly task: TaskName;
  /** Task input; large inputs are passed as a SharedArrayBuffer so all workers share one copy. */
  readonly payload: unknown;
  readonly count: number;
  /** Int32 slots: the next unclaimed item, the number of items posted. */
  readonly shared: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** One item as a worker posts it: its value, or the error it hit. */
export interface ItemMessage {
  readonly index: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** Slots of `Job.shared`. */
export const nextSlot = 0;
export const postedSlot = 1;

/** No item from any worker for this long: they are considered lost; the rest runs inline. */
const stallMs = 30_000;
/** The calling thread takes items itself when no worker has delivered one by then. */
const startMs = 2_000;
/** How long one wait for the next item lasts before the ports are checked again. */
const waitSliceMs = 20;

/**
 * A worker's young generation: its items (a parsed file, a page's mdast tree) are garbage as soon
 * as they are posted, so a larger nursery means fewer scavenges for the same work (~5% faster).
 */
const youngGenerationMb = 128;

const workerFile = new URL('./worker.js', import.meta.url);
const workers: Worker[] = [];
let unavailable = false;

/** `RUNBOOK_WORKERS=0` turns the workers off (everything inline); a number sets the pool size. */
function poolSize(): number {
  const set = process.env.RUNBOOK_WORKERS;
  return set !== undefined && /^\d+$/.test(set) ? Math.min(Number(set), 16) : Math.min(availableParallelism(), 4);
}

function pool(): Worker[] {
  if (unavailable) return [];
  const size = poolSize();
  if (size === 0) return [];
  if (size < 2 && process.env.RUNBOOK_WORKERS === undefined) {
    // One core: the workers would only take turns with the calling thread.
    unavailable = true;
    return [];
  }
  if (!existsSync(fileURLToPath(workerFile))) {
    unavailable = true;
    return [];
  }
  try {
    while (workers.length < size) {
      // No inherited node flags: `-e`/`--input-type` would stop a worker from starting at all,
      // and `--cpu-prof` would write the workers' profiles next to the main thread's.
      const started = new Worker(workerFile, {
        execArgv: [],
        resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb },
      });
      started.unref();
      const forget = () => {
        const i = workers.indexOf(started);
        if (i >= 0) workers.splice(i, 1);
      };
      started.on('error', forget);
      started.on('exit', forget);
      workers.push(started);
    }
  } catch {
    if (!workers.length) unavailable = true;
  }
  return workers.slice(0, size);
}

/** Items being computed; the caller takes what is left with `finish`. */
export interface ParallelItems<T> {
  /** Waits for the workers' items, computes the others with `inline`, returns all in order. */
  finish(inline: (index: number) => T): T[];
}

export interface ParallelOptions<T> {
  /** Below this many items, everything runs inline (workers would not pay for themselves). */
  readonly minItems: number;
  /** The job's input for the workers; called only when workers are used. */
  readonly payload: () => unknown;
  /** Turns a worker's value into a result, or refuses it (undefined): it is then computed inline. */
  readonly decode: (value: unknown, index: number) => T | undefined;
}

/** `decode` for tasks whose items are texts (a page, a workflow, a file): anything else is made inline. */
export function decodeText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Starts computing `count` items of `task` on the workers, when there are enough items. */
export function startParallel<T>(task: TaskName, count: number, options: ParallelOptions<T>): ParallelItems<T> {
  const out: (T | undefined)[] = new Array(count).fill(undefined);
  const has: boolean[] = new Array(count).fill(false);
  const inline: ParallelItems<T> = {
    finish: (compute) => out.map((value, i) => (has[i] ? (value as T) : compute(i))),
  };
  const helpers = count >= options.minItems ? pool() : [];
  if (!helpers.length) return inline;
  const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const ports: MessagePort[] = [];
  const started = performance.now();
  try {
    const payload = options.payload();
    for (const helper of helpers) {
      const { port1, port2 } = new MessageChannel();
      const job: Job = { task, payload, count, shared: shared.buffer as SharedArrayBuffer, port: port2 };
      helper.postMessage(job, [port2]);
      ports.push(port1);
    }
  } catch {
    // Not cloneable, or a worker is gone: claim every item so no worker starts one; all inline.
    Atomics.store(shared, nextSlot, count);
    for (const port of ports) port.close();
    return inline;
  }
  return {
    finish(compute) {
      let idleMs = performance.now() - started;
      let delivered = 0;
      let mine = 0;
      for (;;) {
        const seen = Atomics.load(shared, postedSlot);
        const arrived = drainPorts(ports, options.decode, out, has);
        if (arrived > 0) [delivered, idleMs] = [delivered + arrived, 0];
        // Every item is claimed (the counter is past the end) and each claimed one delivered.
        const claimed = Math.min(Atomics.load(shared, nextSlot), count);
        if (claimed === count && delivered + mine === count) break;
        if (claimed < count && delivered === 0 && idleMs >= startMs) {
          // No worker has delivered an item yet (still starting?): compute one here.
          const i = Atomics.add(shared, nextSlot, 1);
          if (i < count) {
            out[i] = compute(i);
            has[i] = true;
            mine++;
          }
          continue;
        }
        if (Atomics.wait(shared, postedSlot, seen, waitSliceMs) === 'timed-out') idleMs += waitSliceMs;
        if (idleMs >= stallMs) {
          // Lost (crashed or stuck): fresh workers next time; the rest is computed here.
          for (const helper of helpers) void helper.terminate();
          Atomics.store(shared, nextSlot, count);
          break;
        }
      }
      for (const port of ports) port.close();
      return inline.finish(compute);
    },
  };
}

/** Takes every item the workers have posted so far; returns how many arrived (failed ones too). */
function drainPorts<T>(
  ports: readonly MessagePort[],
  decode: ParallelOptions<T>['decode'],
  out: (T | undefined)[],
  has: boolean[],
): number {
  let arrived = 0;
  for (const port of ports) {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const item = m.message as ItemMessage;
      arrived++;
      if (item.error !== undefined) continue;
      const value = decode(item.value, item.index);
      if (value === undefined) continue;
      out[item.index] = value;
      has[item.index] = true;
    }
  }
  return arrived;
}
