import { parentPort } from 'node:worker_threads';
import type { IrGraph } from '../../ir/types.js';
import type { SourceFile } from '../source/source-file.js';
import { nextSlot, postedSlot, type ItemMessage, type Job, type TaskName } from './pool.js';
import type { GraphPagesPayload } from '../emit/docs/docs-context.js';
import type { GraphFilesPayload } from '../emit/graph-json.js';
import type { RunbookWorkflowsPayload } from '../emit/workflows/runbook-workflow.js';
import type { ResumeJobsPayload } from '../emit/workflows/resume-workflow.js';
import { sharedItem, type SharedList } from './share.js';

/**
 * A worker thread of `pool.ts`. For each job it prepares the task once, then claims items from
 * the shared counter until none are left, posting each item's value (or the error it hit) as
 * soon as it is done. The calling thread closes the port once it has every item. A task's
 * modules are imported on its first job, so a worker that only loads files starts quickly.
 */

/** A task: prepares from the job's payload, then computes one item by index. */
type Task = (payload: unknown) => (index: number) => unknown;

const tasks: Record<TaskName, () => Promise<Task>> = {
  'load-files': async () => {
    const { loadFile } = await import('../load/load-file.js');
    const { encodeLoadResult } = await import('../load/load-transfer.js');
    return (payload) => (i) => {
      const file = sharedItem<SourceFile>(payload as SharedList, i);
      return encodeLoadResult(loadFile(file), file);
    };
  },
  'graph-pages': async () => {
    const { graphPageContext } = await import('../emit/docs/docs-context.js');
    const { serialise } = await import('../../common/markdown/mdast-builders.js');
    const { runbookPage } = await import('../emit/docs/runbook-page.js');
    return (payload) => {
      const { snapshot, graphs, indices } = payload as GraphPagesPayload;
      const ctx = graphPageContext(snapshot);
      return (i) => serialise(runbookPage(ctx, sharedItem<IrGraph>(graphs, indices[i])));
    };
  },
  'graph-files': async () => {
    const { graphFileContent } = await import('../emit/graph-json.js');
    return (payload) => {
      const { graphs, indices } = payload as GraphFilesPayload;
      return (i) => graphFileContent(sharedItem<IrGraph>(graphs, indices[i]));
    };
  },
  'runbook-workflows': async () => {
    const { renderRunbookWorkflow } = await import('../emit/workflows/runbook-workflow.js');
    return (payload) => {
      const { items } = payload as RunbookWorkflowsPayload;
      return (i) => renderRunbookWorkflow(items[i].graph, items[i].secrets);
    };
  },
  'resume-jobs': async () => {
    const { resumeJobPart } = await import('../emit/workflows/resume-workflow.js');
    return (payload) => {
      const { targets } = payload as ResumeJobsPayload;
      return (i) => resumeJobPart(targets[i]);
    };
  },
};

const loaded = new Map<TaskName, Promise<Task>>();

// Jobs run one after another: a job's loop is synchronous once its task is loaded.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: Job) => {
  queue = queue.then(() => run(job)).catch(() => undefined);
});

async function run(job: Job): Promise<void> {
  const shared = new Int32Array(job.shared);
  // Nothing left to claim (the job is over, or faster threads took it all): skip preparing.
  if (Atomics.load(shared, nextSlot) >= job.count) return;
  let item: (index: number) => unknown;
  try {
    let task = loaded.get(job.task);
    if (!task) loaded.set(job.task, (task = tasks[job.task]()));
    item = (await task)(job.payload);
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
}
