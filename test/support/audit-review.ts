import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import { bin, cliEnv, runIdOf } from './cli.js';

/**
 * The runs an audit review is tested on, made by the built CLI in a temp repository compiled from
 * test/fixtures/audit-review/runbooks: every kind of run `runbook audit list|verify|export` must
 * tell apart. Each is known by the id its run printed.
 */
export const SECRET = 'Zq9-audit-review-secret-4711';

export interface ReviewRuns {
  /** echo-secret from the generated workflow, its input holding the secret's value. */
  readonly workflow: string;
  /** echo-secret from a hand-written workflow. */
  readonly hand: string;
  /** gate: a refused claim (wrong plan) and the initiator's own unsigned approval. */
  readonly gate: string;
  /** doubt: timed out, resumed with --decide slow=skip. */
  readonly doubt: string;
  readonly fail: string;
  readonly undo: string;
}

export type Cli = (args: string[], env?: Record<string, string>) => SpawnSyncReturns<string>;

/** A temp repository with the review runbooks compiled, and its CLI (`--root` added). */
export function reviewRepository(): { root: string; cli: Cli } {
  const root = mkdtempSync(join(tmpdir(), 'runbook-audit-review-'));
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'audit-review', 'runbooks'), join(root, 'runbooks'), {
    recursive: true,
  });
  const cli: Cli = (args, env = {}) =>
    spawnSync(process.execPath, [bin, ...args, '--root', root], {
      encoding: 'utf8',
      timeout: 90_000,
      env: cliEnv(env),
    });
  const c = cli(['compile']);
  expect(c.status, c.stdout + c.stderr).toBe(0);
  return { root, cli };
}

const workflowEnv = (file: string) => ({
  GITHUB_WORKFLOW_REF: `acme/app/.github/workflows/${file}@refs/heads/main`,
  GITHUB_EVENT_NAME: 'workflow_dispatch',
});

/** Makes every run of ReviewRuns; `extra` goes to each run and resume (`--audit-db URL …`). */
export function makeReviewRuns(root: string, cli: Cli, extra: string[] = []): ReviewRuns {
  const run = (args: string[], status: number, env: Record<string, string> = {}) => {
    const r = cli([...args, ...extra], env);
    expect(r.status, r.stdout + r.stderr).toBe(status);
    return runIdOf(r.stdout);
  };
  const secretEnv = { API_TOKEN: SECRET };
  const workflow = run(['run', 'echo-secret', '-i', `value=${SECRET}`, '--as', '@dana-lee'], 0, {
    ...secretEnv,
    ...workflowEnv('runbook-echo-secret.yml'),
  });
  const hand = run(['run', 'echo-secret', '-i', 'value=plain', '--as', '@dana-lee'], 0, {
    ...secretEnv,
    ...workflowEnv('hand.yml'),
  });
  const gate = run(['run', 'gate', '--as', '@ops', '--approvals', approvalsFile(root, cli)], 0);
  const doubt = run(['run', 'doubt', '--as', '@ops'], 4);
  const resumed = cli(['resume', doubt, '--decide', 'slow=skip', '--as', '@ops', ...extra]);
  expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
  const fail = run(['run', 'fail-run', '--as', '@riley-park'], 4);
  const undo = run(['run', 'undo', '--as', '@riley-park'], 5);
  return { workflow, hand, gate, doubt, fail, undo };
}

/** A claim for another plan by @riley-park (refused), and @ops's own for this plan (granted). */
function approvalsFile(root: string, cli: Cli): string {
  const plan = cli(['plan', 'gate', '--json']);
  const planHash = (JSON.parse(plan.stdout) as { planHash: string }).planHash;
  const file = join(root, 'approvals.json');
  const approvals = [
    { step: 'approve', approver: '@riley-park', planHash: 'f'.repeat(64) },
    { step: 'approve', approver: '@ops', planHash },
  ];
  writeFileSync(file, JSON.stringify({ approvals }));
  return file;
}

/**
 * What `actions/download-artifact` (all artifacts, no name) makes of the runs' uploads: one folder
 * per artifact, named as generated workflows name it (`audit-<run_id>-<attempt>`), holding what the
 * job uploaded: its `.runbook/runs/` (`<run-id>/audit.jsonl`).
 */
export function downloadedArtifacts(root: string, runIds: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-artifacts-'));
  runIds.forEach((id, i) => {
    const into = join(dir, `audit-${9000 + i}-1`, id);
    mkdirSync(into, { recursive: true });
    cpSync(join(root, '.runbook', 'runs', id, 'audit.jsonl'), join(into, 'audit.jsonl'));
  });
  return dir;
}

/**
 * A zip as GitHub serves an artifact (deflated entries), written here so the test needs no zip
 * tool: local headers, central directory, end record (PKWARE APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16).
 */
export function writeZip(path: string, entries: { name: string; data: Buffer }[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const packed = deflateRawSync(data);
    const fields = (sig: number, size: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(sig, 0);
      return b;
    };
    const local = fields(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(Buffer.byteLength(name), 26);
    const central = fields(0x02014b50, 46);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(Buffer.byteLength(name), 28);
    central.writeUInt32LE(offset, 42);
    const entry = Buffer.concat([local, Buffer.from(name), packed]);
    locals.push(entry);
    centrals.push(Buffer.concat([central, Buffer.from(name)]));
    offset += entry.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...locals, directory, end]));
}
