import { parentPort } from 'node:worker_threads';
import { graphPageContext } from './docs-context.js';
import { serialise } from './mdast-builders.js';
import type { PageJob, PageMessage } from './page-pool.js';
import { runbookPage } from './runbook-page.js';

/**
 * The worker thread of `page-pool.ts`: for each job, claims graph pages from the shared counter
 * until none are left, and posts each page's Markdown (or the error it hit) as soon as it is done.
 */
parentPort?.on('message', (job: PageJob) => {
  const shared = new Int32Array(job.shared);
  // The port is closed by the main thread once it has every page (closing here could drop some).
  {
    const ctx = graphPageContext(job.snapshot);
    for (let i = Atomics.add(shared, 0, 1); i < job.graphs.length; i = Atomics.add(shared, 0, 1)) {
      let page: PageMessage;
      try {
        page = { index: i, content: serialise(runbookPage(ctx, job.graphs[i])) };
      } catch (e) {
        page = { index: i, error: String((e as Error)?.stack ?? e) };
      }
      job.port.postMessage(page);
      Atomics.add(shared, 1, 1);
      Atomics.notify(shared, 1);
    }
  }
});
