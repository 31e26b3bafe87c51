import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { IrGraph } from '../../../ir/types.js';
import { graphPageContext } from './docs-context.js';
import { serialise } from './mdast-builders.js';
import type { PageJob, PageMessage } from './page-pool.js';
import { runbookPage } from './runbook-page.js';

/**
 * A worker thread of `page-pool.ts`: for each job, claims graph pages from the shared counter
 * until none are left, and posts each page's Markdown (or the error it hit) as soon as it is done.
 * The main thread closes the port once it has every page.
 */
parentPort?.on('message', (job: PageJob) => {
  const shared = new Int32Array(job.shared);
  // Nothing left to claim (the job is over, or a faster thread took it all): skip the decoding.
  if (Atomics.load(shared, 0) >= job.count) return;
  const graphs = deserialize(new Uint8Array(job.graphs)) as IrGraph[];
  const ctx = graphPageContext(job.snapshot);
  for (let i = Atomics.add(shared, 0, 1); i < job.count; i = Atomics.add(shared, 0, 1)) {
    let page: PageMessage;
    try {
      page = { index: i, content: serialise(runbookPage(ctx, graphs[i])) };
    } catch (e) {
      page = { index: i, error: String((e as Error)?.stack ?? e) };
    }
    job.port.postMessage(page);
    Atomics.add(shared, 1, 1);
    Atomics.notify(shared, 1);
  }
});
