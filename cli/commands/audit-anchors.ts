import { readFileSync } from 'node:fs';
import {
  auditVerifierFromEnv,
  readDbAnchors,
  RunRefused,
  githubClient,
  readGithubAnchors,
  type AuditSigVerifier,
  type PublishedAnchor,
  type AuditRecord,
} from '../../executor/facade/audit.js';

/** What `audit verify` compares a log with besides its own chain. */
export interface OutsideOptions {
  /** `github`, `db`, or both comma-separated. */
  readonly anchorsFrom?: string;
  /** The tracking issue or PR (default: the one run:start names). */
  readonly issue?: string;
  /** The audit database (with `--db`, or RUNBOOK_AUDIT_DB). */
  readonly db?: string;
  /** A key file: the HMAC secret, or the ed25519 public (or private) key. */
  readonly key?: string;
}

/** The published heads of the run the records belong to, from each source asked for. */
export async function collectAnchors(
  records: readonly AuditRecord[],
  runId: string,
  o: OutsideOptions,
  env: NodeJS.ProcessEnv,
): Promise<PublishedAnchor[]> {
  const sources = (o.anchorsFrom ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: PublishedAnchor[] = [];
  for (const source of sources) {
    if (source === 'github') out.push(...(await githubAnchors(records, runId, o, env)));
    else if (source === 'db') out.push(...(await dbAnchors(runId, o.db ?? env.RUNBOOK_AUDIT_DB)));
    else throw new RunRefused(`--anchors-from ${JSON.stringify(source)}: expected github or db`);
  }
  return out;
}

/** The audit key to check signatures with, when one is configured (`--key`, RUNBOOK_AUDIT_PUBKEY, RUNBOOK_AUDIT_KEY). */
export function verifierOf(o: OutsideOptions, env: NodeJS.ProcessEnv): AuditSigVerifier | undefined {
  if (o.key === undefined) return auditVerifierFromEnv(env);
  let text: string;
  try {
    text = readFileSync(o.key, 'utf8');
  } catch (e) {
    throw new RunRefused(`--key ${o.key}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return auditVerifierFromEnv(env, { text, from: `--key ${o.key}` });
}

async function githubAnchors(
  records: readonly AuditRecord[],
  runId: string,
  o: OutsideOptions,
  env: NodeJS.ProcessEnv,
): Promise<PublishedAnchor[]> {
  const gh = githubClient(env);
  const issueNumber = o.issue !== undefined ? Number(o.issue) : trackingIssueOf(records);
  if (!Number.isInteger(issueNumber) || issueNumber === undefined || issueNumber <= 0) {
    throw new NoAnchors(
      `the log of run ${runId} names no tracking issue, so no published head can be compared with it (pass --issue N: the tracking issue or run-request pull request)`,
    );
  }
  // The workflow's bot writes the comments; RUNBOOK_GITHUB_BOT names another (a GitHub App's login).
  const bots = [gh.bot];
  const { anchors, trusted } = await readGithubAnchors({
    octokit: gh.octokit,
    repo: gh.repo,
    issueNumber,
    runId,
    bots,
  });
  if (anchors.length === 0) {
    throw new NoAnchors(
      `no chain head of run ${runId} published by ${trusted.map((t) => `@${t}`).join(' or ')} on #${issueNumber}: nothing to compare the log with`,
    );
  }
  return anchors;
}

async function dbAnchors(runId: string, url: string | undefined): Promise<PublishedAnchor[]> {
  if (!url) throw new RunRefused('--anchors-from db needs the audit database', 'pass --db URL or set RUNBOOK_AUDIT_DB');
  const anchors = await readDbAnchors(url, runId);
  if (anchors.length === 0)
    throw new NoAnchors(
      `no chain head of run ${runId} in the audit database (runbook_audit_anchor): nothing to compare the log with`,
    );
  return anchors;
}

/** The issue number run:start recorded (a rewritten log may lie, but then finds no heads of this run there). */
function trackingIssueOf(records: readonly AuditRecord[]): number | undefined {
  const start = records.find((r) => r.type === 'run:start');
  const t = (start?.data as { trackingIssue?: { number?: unknown } } | undefined)?.trackingIssue;
  return typeof t?.number === 'number' ? t.number : undefined;
}

/** No heads where the user said to look: verification fails (exit 1), it is not a usage error. */
export class NoAnchors extends Error {
  override readonly name = 'NoAnchors';
}
