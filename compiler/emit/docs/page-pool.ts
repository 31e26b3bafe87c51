import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { IrGraph } from '../../../ir/types.js';
import type { GraphPageSnapshot } from './docs-context.js';

/**
 * Builds and serialises graph pages (one per Runbook and BackupPlan, nearly all of the docs) on
 * this thread and on one worker thread at the same time. Serialising Markdown is CPU-bound and
 * the pages are independent, so a second core roughly halves the time of a large tree.
 *
 * Pages are claimed one at a time from a shared counter: neither thread idles while the other
 * still has pages, and a worker that is still starting simply takes fewer pages (or none). The
 * worker builds each page with the same code from the same data (the graphs and a snapshot of
 * the lookups a graph page makes, see `graphPageSnapshot`), so the text is the same as built
 * here. Whatever the worker does not deliver — an error, or no progress for `stallMs` — is built
 * on this thread, so errors surface exactly as they would without the worker.
 *
 * `emit()` is synchronous, so this thread waits for the worker's last pages with `Atomics.wait`
 * and collects them with `receiveMessageOnPort`. The worker is started on first use and kept
 * (unref'd: it never keeps the process alive) for later compiles in the same process.
 */

/** Below this many graph pages, a worker does not pay for itself. */
export const minParallelPages = 48;
/** No page for this long: the worker is considered lost and its pages are built here. */
const stallMs = 30_000;
/** How long one wait for the worker's next page lasts before checking the port again. */
const waitSliceMs = 20;

/** Slots of the shared counters. */
const next = 0;
const posted = 1;

/** A page from the worker: its text, or the error it hit. */
export interface PageMessage {
  readonly index: number;
  readonly content?: string;
  readonly error?: string;
}

/** What the worker is sent for one docs emit. */
export interface PageJob {
  readonly snapshot: GraphPageSnapshot;
  readonly graphs: readonly IrGraph[];
  /** Int32 slots: the next unclaimed page, the number of pages posted. */
  readonly shared: SharedArrayBuffer;
  readonly port: MessagePort;
}

const workerFile = new URL('./page-worker.js', import.meta.url);
let worker: Worker | undefined;
let unavailable = false;

function pageWorker(): Worker | undefined {
  if (worker || unavailable) return worker;
  // Only from the built JavaScript (not when the TypeScript sources run under a test runner).
  if (availableParallelism() < 2 || !existsSync(fileURLToPath(workerFile))) {
    unavailable = true;
    return undefined;
  }
  try {
    const started = new Worker(workerFile);
    started.unref();
    const forget = () => {
      if (worker === started) worker = undefined;
    };
    started.on('error', forget);
    started.on('exit', forget);
    worker = started;
  } catch {
    unavailable = true;
  }
  return worker;
}

/** Pages being built: this thread takes its share with `finish`. */
export interface GraphPages {
  /** Builds the pages not taken by the worker, waits for the worker's, returns all in order. */
  finish(build: (graph: IrGraph) => string): string[];
}

/**
 * Starts building the pages of `graphs` (on a worker, when there are enough of them); the caller
 * can build other pages meanwhile and then calls `finish` with its own way to build a page.
 */
export function startGraphPages(graphs: readonly IrGraph[], snapshot: () => GraphPageSnapshot): GraphPages {
  const out: (string | undefined)[] = new Array(graphs.length).fill(undefined);
  const inline: GraphPages = {
    finish: (build) => graphs.map((graph, i) => out[i] ?? build(graph)),
  };
  const helper = graphs.length >= minParallelPages && !process.env.NO_POOL ? pageWorker() : undefined;
  if (!helper) return inline;
  const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const t0 = performance.now();
  try {
    const job: PageJob = { snapshot: snapshot(), graphs, shared: shared.buffer as SharedArrayBuffer, port: port2 };
    helper.postMessage(job, [port2]);
    if (process.env.DEBUG_POOL) console.error(`pool: post ${(performance.now() - t0).toFixed(0)} ms`);
  } catch {
    // Not cloneable, or the worker is gone: everything is built here.
    port1.close();
    return inline;
  }
  return {
    finish(build) {
      const t1 = performance.now();
      let mine = 0;
      for (let i = Atomics.add(shared, next, 1); i < graphs.length; i = Atomics.add(shared, next, 1)) {
        out[i] = build(graphs[i]);
        mine++;
      }
      // The counter is past the end: the worker claims nothing more, and owes what it claimed.
      let owed = graphs.length - mine;
      const t2 = performance.now();
      let idleMs = 0;
      while (owed > 0) {
        const seen = Atomics.load(shared, posted);
        for (let m = receiveMessageOnPort(port1); m; m = owed > 0 ? receiveMessageOnPort(port1) : undefined) {
          const page = m.message as PageMessage;
          if (page.content !== undefined) out[page.index] = page.content;
          owed--;
          idleMs = 0;
        }
        if (owed === 0) break;
        if (Atomics.wait(shared, posted, seen, waitSliceMs) !== 'timed-out') continue;
        idleMs += waitSliceMs;
        if (idleMs >= stallMs) {
          // Lost (crashed or stuck): start a fresh worker next time; build its pages here.
          if (worker === helper) worker = undefined;
          void helper.terminate();
          break;
        }
      }
      port1.close();
      if (process.env.DEBUG_POOL) console.error(`pool: main ${mine} pages in ${(t2 - t1).toFixed(0)} ms, worker ${graphs.length - mine}, waited ${(performance.now() - t2).toFixed(0)} ms; before finish ${(t1 - t0).toFixed(0)}`);
      return inline.finish(build);
    },
  };
}
