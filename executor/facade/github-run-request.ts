import type { IrGraph } from '../../ir/types.js';

/** What decides whether, and how, a run is tracked on GitHub (github-run.ts, github-tracked-run.ts). */
export interface GithubRunRequest {
  env: NodeJS.ProcessEnv;
  graph: IrGraph;
  runId: string;
  initiator: string;
  dryRun: boolean;
  issueNumber?: number;
}
