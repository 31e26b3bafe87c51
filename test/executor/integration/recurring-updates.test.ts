import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sideEffectFreeActions } from '../../../executor/actions/catalog-meta.js';
import { actions } from '../../../executor/actions/index.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { runRunbook } from '../../../executor/run/run-runbook.js';
import { startCaptureServer, type CaptureServer } from '../../support/capture-server.js';
import { compiledRoot, runCliAsync, runIdOf } from '../../support/cli.js';

/**
 * `spec.updates` (issue 15): while a run is in progress, its timer sends the Template to the
 * audience every `every` through the notify path, with the run's progress as variables, journals
 * each update as `run:update`, and stops before run:end. A real run through the built CLI posts to
 * a loopback Slack webhook; a dry run (executor API, held at an approval gate until two updates
 * are journaled) sends nothing but journals "would send".
 */
const EVERY_MS = 200;
const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/sre" }
spec:
  people:
    ops: { name: Ops, github: "@ops" }
    lead: { name: Lead, github: "@ops-lead" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [ops, lead] }
  audiences:
    chat: { people: [], channels: [slack], external: false, webhook: "{{inputs.hook}}" }
`;
const template = `---
apiVersion: runbook/v1
kind: Template
metadata: { name: progress, owner: "@acme/sre" }
channel: slack
audience: [chat]
variables:
  status: { required: true, description: Status. }
  phase: { required: false, description: Current phase. }
  steps_done: { required: false, description: Steps done. }
  steps_total: { required: false, description: Steps in all. }
  elapsed: { required: false, description: Time since the start. }
  next_update: { required: false, description: When the next one is due. }
---
Update {{status}}: phase={{phase}} done={{steps_done}}/{{steps_total}} elapsed={{elapsed}} next={{next_update}}
`;
const updates = (status: string) => `  updates:
    - { audience: [chat], every: ${EVERY_MS}ms, template: progress, vars: { status: "${status} {{inputs.label}}" } }
`;
const header = (name: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre" }
spec:
  inputs:
    hook: { type: string, required: true }
    label: { type: string, default: run-1 }
`;
// About 1.2 s of work in two phases, so updates report both phases and a growing step count.
const timed = `${header('timed')}${updates('running')}  phases:
    - id: first
      title: Warm up
      steps:
        - { id: a, run: sleep 0.5 }
    - id: second
      title: Main work
      steps:
        - { id: b, run: sleep 0.7 }
`;
// Fails after about 0.6 s, then rolls back: the timer stops at the end of a failed run too.
const failing = `${header('failing')}${updates('failing')}  onFailure: rollback
  phases:
    - id: only
      title: Break
      steps:
        - { id: prepare, run: "true", rollback: { run: "true" } }
        - { id: break, needs: [prepare], run: "sleep 0.6; exit 3" }
`;
const gated = `${header('gated')}${updates('dry')}  approvals: { approvers: ["@ops-lead"], required: 1 }
  phases:
    - id: only
      title: Decide
      steps:
        - { id: decide, run: echo decided, approval: { message: Go? } }
`;

let root: string;
let slack: CaptureServer | undefined;

beforeAll(async () => {
  root = compiledRoot('runbook-updates-', {
    'directory.yaml': directory,
    'progress.md.hbs': template,
    'timed.yaml': timed,
    'gated.yaml': gated,
    'failing.yaml': failing,
  });
  slack = await startCaptureServer();
});

afterAll(async () => {
  await slack?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function journal(runId: string): AuditRecord[] {
  return parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
}

type Update = { sequence: number; phase?: string; stepsDone: number; stepsTotal: number; status: string };

describe('recurring updates (spec.updates)', () => {
  it('sends one update per interval while the run lasts, with its progress, and none after run:end', async () => {
    const before = slack!.bodies.length;
    const r = await runCliAsync(
      ['run', 'timed', '--root', root, '--as', '@ops', '--input', `hook=${slack!.url}/hook`],
      {},
      20_000,
    );
    // The CLI exited by itself: a timer left running would keep it alive until the kill above.
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const records = journal(runIdOf(r.stdout));
    const sent = records.filter((x) => x.type === 'run:update').map((x) => x.data as Update);
    const firstPhase = records.find((x) => x.type === 'phase:start')!;
    const end = records.findIndex((x) => x.type === 'run:end');
    // The timer lives from just before the first phase:start to just before run:end.
    const lived = Date.parse(records[end].ts) - Date.parse(firstPhase.ts);
    const expected = Math.floor(lived / EVERY_MS);
    expect(sent.length, `run lasted ${lived} ms`).toBeGreaterThanOrEqual(Math.max(1, expected - 1));
    expect(sent.length, `run lasted ${lived} ms`).toBeLessThanOrEqual(expected + 1);
    expect(sent.map((u) => u.sequence)).toEqual(sent.map((_, i) => i + 1));
    for (const u of sent) expect(u, JSON.stringify(u)).toMatchObject({ status: 'sent', stepsTotal: 2 });
    // Every run:update is before run:end, and the webhook got exactly those: nothing came later.
    expect(records.slice(end + 1).map((x) => x.type)).toEqual([]);
    expect(records.map((x) => x.type).lastIndexOf('run:update')).toBeLessThan(end);
    const bodies = slack!.bodies.slice(before).map((b) => (JSON.parse(b) as { text: string }).text.trim());
    expect(bodies).toHaveLength(sent.length);
    bodies.forEach((text, i) => {
      const u = sent[i];
      expect(text, text).toMatch(
        /^Update running run-1: phase=(Warm up|Main work) done=[0-2]\/2 elapsed=\S+ next=in 200ms$/,
      );
      expect(text).toContain(`phase=${u.phase} done=${u.stepsDone}/2`);
    });
    // Progress moves: the last update is in the second phase with the first step done.
    expect(sent.at(-1)).toMatchObject({ phase: 'Main work', stepsDone: 1 });
    // The new records keep the hash chain verifiable like any other.
    const verify = await runCliAsync(['audit', 'verify', runIdOf(r.stdout), '--root', root]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  it('stops at the end of a failed, rolled-back run: no update after run:end, the CLI exits', async () => {
    const before = slack!.bodies.length;
    const r = await runCliAsync(
      ['run', 'failing', '--root', root, '--as', '@ops', '--input', `hook=${slack!.url}/hook`],
      {},
      20_000,
    );
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.status, 'killed: a timer kept the CLI alive').not.toBeNull();
    const records = journal(runIdOf(r.stdout));
    const end = records.findIndex((x) => x.type === 'run:end');
    expect(records[end].data).toMatchObject({ status: 'rolled-back' });
    const sent = records.filter((x) => x.type === 'run:update');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(records.map((x) => x.type).lastIndexOf('run:update')).toBeLessThan(end);
    expect(records.slice(end + 1)).toEqual([]);
    expect(slack!.bodies.length - before).toBe(sent.length);
  });

  it('a dry run sends no update but journals each as "would send"', async () => {
    const before = slack!.bodies.length;
    const seen: AuditRecord[] = [];
    let release: () => void = () => undefined;
    const twoUpdates = new Promise<void>((resolve) => (release = resolve));
    const outcome = await runRunbook({
      root,
      name: 'gated',
      inputs: { hook: `${slack!.url}/hook` },
      dryRun: true,
      initiator: '@ops',
      approvals: [],
      interactive: false,
      signal: new AbortController().signal,
      env: {},
      actions,
      sideEffectFree: sideEffectFreeActions(),
      onRecord: (rec) => {
        seen.push(rec);
        if (seen.filter((x) => x.type === 'run:update').length >= 2) release();
      },
      // The gate holds the (otherwise instant) dry run until two updates are journaled.
      approvalGate: () => ({
        request: async () => (await twoUpdates, { approved: true as const, approvedBy: ['@ops-lead'] }),
      }),
    });
    expect(outcome.status).toBe('succeeded');
    const records = journal(outcome.runId);
    const sent = records.filter((x) => x.type === 'run:update').map((x) => x.data as Update & { calls: string[] });
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const u of sent)
      expect(u, JSON.stringify(u)).toMatchObject({ status: 'would-send', calls: ['slack:chat'], phase: 'Decide' });
    expect(records.map((x) => x.type).lastIndexOf('run:update')).toBeLessThan(
      records.findIndex((x) => x.type === 'run:end'),
    );
    expect(slack!.bodies.length).toBe(before);
  });
});
