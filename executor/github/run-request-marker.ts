/**
 * The hidden marker the pull-request workflow writes into its plan comment for each run request:
 * `<!-- runbook-run-request file=<path> plan=<sha256> commit=<head sha> -->`. Reviewers approve
 * what that comment shows; on merge the executor reads the marker back to prove the plan they
 * saw is the plan about to run. `commit` is optional; when present it must be the PR's head.
 */
export interface RunRequestMarker {
  readonly file: string;
  readonly planHash: string;
  readonly commit?: string;
}

const MARKER = /<!--\s*runbook-run-request\s+file=(\S+)\s+plan=([0-9a-f]{64})(?:\s+commit=([0-9a-f]{7,40}))?\s*-->/g;

/** The marker text for one run request (put it in the plan comment's body, once per file). */
export function runRequestMarker(m: RunRequestMarker): string {
  if (/\s|-->/.test(m.file))
    throw new Error(`run request path must not contain spaces or "-->": ${JSON.stringify(m.file)}`);
  return `<!-- runbook-run-request file=${m.file} plan=${m.planHash}${m.commit ? ` commit=${m.commit}` : ''} -->`;
}

/** Every marker in a comment body (a sticky plan comment may list several run requests). */
export function parseRunRequestMarkers(body: string): RunRequestMarker[] {
  return [...body.matchAll(MARKER)].map((m) => ({ file: m[1], planHash: m[2], ...(m[3] ? { commit: m[3] } : {}) }));
}

/** `./runs/x.yaml` and `runs/x.yaml` name the same file. */
export const sameRequestFile = (a: string, b: string): boolean => a.replace(/^\.\//, '') === b.replace(/^\.\//, '');
