import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { IrGraph } from '../../../ir/types.js';
import type { GraphPageSnapshot } from './docs-context.js';

/**
 * Builds and serialises graph pages (one per Runbook and BackupPlan, nearly all of the docs) on
 * worker threads, one per core. Serialising Markdown is CPU-bound and the pages are independent,
 * so the cores share them; the workers' small heaps also make their garbage collection far
 * cheaper than on the main thread, which holds the whole compile result.
 *
 * Pages are claimed one at a time from a shared counter, so no thread idles while another still
 * has pages, and a worker that is still starting simply takes fewer pages (or none). The workers
 * build each page with the same code from the same data (the graphs, and a snapshot of the
 * lookups a graph page makes: see `graphPageSnapshot`), so the text is the same as built here.
 * The main thread builds the other pages meanwhile, then takes graph pages only if the workers
 * make no progress (still starting, or lost); whatever a worker does not deliver (an error, or
 * nothing for `stallMs`) is built on the main thread, so errors surface as they would without it.
 *
 * `emit()` is synchronous, so the main thread waits for pages with `Atomics.wait` and collects
 * them with `receiveMessageOnPort`. Workers start on first use and are kept (unref'd: they never
 * keep the process alive) for later compiles in the same process.
 */

/** Below this many graph pages, workers do not pay for themselves. */
export const minParallelPages = 48;
/** No page from a worker for this long: it is considered lost and its pages are built here. */
const stallMs = 30_000;
/** The main thread builds graph pages itself when the workers have not started any by then. */
const startMs = 2_000;
/** How long one wait for the workers' next page lasts before checking the ports again. */
const waitSliceMs = 20;

/** Slots of the shared counters. */
const next = 0;
const posted = 1;

/** A page from a worker: its text, or the error it hit. */
export interface PageMessage {
  readonly index: number;
  readonly content?: string;
  readonly error?: string;
}

/** What each worker is sent for one docs emit. */
export interface PageJob {
  readonly snapshot: GraphPageSnapshot;
  /** The graphs, `v8.serialize`d once for all workers. */
  readonly graphs: SharedArrayBuffer;
  readonly count: number;
  /** Int32 slots: the next unclaimed page, the number of pages posted. */
  readonly shared: SharedArrayBuffer;
  readonly port: MessagePort;
}

const workerFile = new URL('./page-worker.js', import.meta.url);
const workers: Worker[] = [];
let unavailable = false;

/** The pool: one worker per core (at least two cores), started on first use. */
function pool(): Worker[] {
  if (unavailable) return [];
  // Only from the built JavaScript (not when the TypeScript sources run under a test runner).
  const size = Math.min(availableParallelism(), 4);
  if (size < 2 || !existsSync(fileURLToPath(workerFile))) {
    unavailable = true;
    return [];
  }
  try {
    while (workers.length < size) {
      const started = new Worker(workerFile);
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
  return [...workers];
}

/** Pages being built: the caller takes the rest with `finish`. */
export interface GraphPages {
  /** Waits for the workers' pages, builds what they did not, returns all pages in order. */
  finish(build: (graph: IrGraph) => string): string[];
}

/**
 * Starts building the pages of `graphs` (on workers, when there are enough pages); the caller
 * can build other pages meanwhile and then calls `finish` with its own way to build a page.
 */
export function startGraphPages(graphs: readonly IrGraph[], snapshot: () => GraphPageSnapshot): GraphPages {
  const out: (string | undefined)[] = new Array(graphs.length).fill(undefined);
  const inline: GraphPages = {
    finish: (build) => graphs.map((graph, i) => out[i] ?? build(graph)),
  };
  const helpers = graphs.length >= minParallelPages ? pool() : [];
  if (!helpers.length) return inline;
  const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const ports: MessagePort[] = [];
  const started = performance.now();
  try {
    const bytes = serialize(graphs);
    const data = new SharedArrayBuffer(bytes.length);
    new Uint8Array(data).set(bytes);
    const view = snapshot();
    for (const helper of helpers) {
      const { port1, port2 } = new MessageChannel();
      const job: PageJob = { snapshot: view, graphs: data, count: graphs.length, shared: shared.buffer as SharedArrayBuffer, port: port2 };
      helper.postMessage(job, [port2]);
      ports.push(port1);
    }
  } catch {
    // Not cloneable, or a worker is gone: claim every page so no worker starts one, build here.
    Atomics.store(shared, next, graphs.length);
    for (const port of ports) port.close();
    return inline;
  }
  return {
    finish(build) {
      let idleMs = performance.now() - started;
      let done = 0;
      let mine = 0;
      const claim = () => {
        const i = Atomics.add(shared, next, 1);
        if (i >= graphs.length) return false;
        out[i] = build(graphs[i]);
        mine++;
        return true;
      };
      for (;;) {
        const seen = Atomics.load(shared, posted);
        for (const port of ports) {
          for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
            const page = m.message as PageMessage;
            if (page.content !== undefined) out[page.index] = page.content;
            done++;
            idleMs = 0;
          }
        }
        // Every page is claimed (the counter is past the end) and each claimed one delivered.
        const claimed = Math.min(Atomics.load(shared, next), graphs.length);
        if (claimed === graphs.length && done + mine === graphs.length) break;
        if (claimed < graphs.length && done === 0 && idleMs >= startMs) {
          // The workers have not delivered a page yet (still starting?): build one here.
          claim();
          continue;
        }
        if (Atomics.wait(shared, posted, seen, waitSliceMs) === 'timed-out') idleMs += waitSliceMs;
        if (idleMs >= stallMs) {
          // Lost (crashed or stuck): fresh workers next time; their pages are built here.
          for (const helper of helpers) void helper.terminate();
          Atomics.store(shared, next, graphs.length);
          break;
        }
      }
      for (const port of ports) port.close();
      return inline.finish(build);
    },
  };
}
