import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { IrGraph } from '../../ir/types.js';
import { graphPageContext, type GraphPageSnapshot } from '../emit/docs/docs-context.js';
import { serialise } from '../emit/docs/mdast-builders.js';
import { runbookPage } from '../emit/docs/runbook-page.js';
import { encodeLoadResult } from '../load/load-transfer.js';
import { loadFile } from '../load/load-file.js';
import type { SourceFile } from '../source/source-file.js';
import { nextSlot, postedSlot, type ItemMessage, type Job, type TaskName } from './pool.js';

/**
 * A worker thread of `pool.ts`. For each job it prepares the task once, then claims items from
 * the shared counter until none are left, posting each item's value (or the error it hit) as
 * soon as it is done. The calling thread closes the port once it has every item.
 */

/** A task: prepares from the job's payload, then computes one item by index. */
type Task = (payload: unknown) => (index: number) => unknown;

const tasks: Record<TaskName, Task> = {
  'load-files': (payload) => {
    const files = deserialize(new Uint8Array(payload as SharedArrayBuffer)) as SourceFile[];
    return (i) => encodeLoadResult(loadFile(files[i]));
  },
  'graph-pages': (payload) => {
    const { snapshot, graphs: shared } = payload as { snapshot: GraphPageSnapshot; graphs: SharedArrayBuffer };
    const graphs = deserialize(new Uint8Array(shared)) as IrGraph[];
    const ctx = graphPageContext(snapshot);
    return (i) => serialise(runbookPage(ctx, graphs[i]));
  },
};

parentPort?.on('message', (job: Job) => {
  const shared = new Int32Array(job.shared);
  // Nothing left to claim (the job is over, or faster threads took it all): skip preparing.
  if (Atomics.load(shared, nextSlot) >= job.count) return;
  let item: (index: number) => unknown;
  try {
    item = tasks[job.task](job.payload);
  } catch {
    return; // claims nothing: the calling thread computes every item
  }
  for (let i = Atomics.add(shared, nextSlot, 1); i < job.count; i = Atomics.add(shared, nextSlot, 1)) {
    let message: ItemMessage;
    try {
      message = { index: i, value: item(i) };
    } catch (e) {
      message = { index: i, error: String((e as Error)?.stack ?? e) };
    }
    job.port.postMessage(message);
    Atomics.add(shared, postedSlot, 1);
    Atomics.notify(shared, postedSlot);
  }
});
