import type { IrGraph } from '../../ir/types.js';
import type { ParkedRequest } from '../core/parked.js';

/** What decides whether, and how, a run is tracked on GitHub (github-run.ts, github-tracked-run.ts). */
export interface GithubRunRequest {
  env: NodeJS.ProcessEnv;
  graph: IrGraph;
  runId: string;
  initiator: string;
  dryRun: boolean;
  issueNumber?: number;
  /** The run's journal of record: with it, gates answered on GitHub park the run (issue 13). */
  auditDb?: string;
  /** A parked run resumed: its gate continues the original request on the original issue. */
  parked?: ParkedRequest;
}
