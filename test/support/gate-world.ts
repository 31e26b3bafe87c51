import { createAuditLog, type AuditLog, type AuditRecord } from '../../executor/audit/record.js';
import type { ParkedRequest } from '../../executor/core/parked.js';
import { SecretMasker } from '../../executor/core/secrets.js';
import { githubClient } from '../../executor/github/client.js';
import { githubCommentGate } from '../../executor/github/comment-gate.js';
import { FakeClock } from './fake-clock.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from './fake-github.js';

/**
 * The world of a GitHub gate on pull request 12 (parked-gate and review-gate tests): the
 * spec-validated fake GitHub on a fake clock, team @acme/dba with two members, and an audit log
 * in memory. Close `fake` after each test.
 */
export const GATE_PLAN = 'ef'.repeat(32);
export const GATE_BASE = Date.parse('2026-06-01T12:00:00Z');
export const gateMembers = { '@acme/dba': ['dana-lee', 'charlie-brown'] };

export interface GateWorld {
  readonly fake: FakeGithub;
  readonly clock: FakeClock;
  readonly records: AuditRecord[];
  readonly events: AuditLog;
}

export async function newGateWorld(): Promise<GateWorld> {
  const fake = await startFakeGithub();
  const clock = new FakeClock();
  fake.now = () => GATE_BASE + clock.now();
  fake.addPull({ number: 12, author: 'pat-author', headSha: 'a'.repeat(40) });
  fake.addTeam('acme/dba', { 'dana-lee': 'active', 'charlie-brown': 'active' });
  const records: AuditRecord[] = [];
  const events = createAuditLog({
    runId: 'run-1',
    runbook: 'db-failover',
    planHash: GATE_PLAN,
    actor: '@octo-initiator',
    masker: new SecretMasker([]),
    sinks: [{ name: 'memory', write: async (rs) => void records.push(...rs) }],
    clock: () => new Date(GATE_BASE + clock.now()),
  });
  return { fake, clock, records, events };
}

/** A comment gate of run-1 in that world, parking or not, continuing `parked` when given. */
export function worldGate(w: GateWorld, o: { canPark: boolean; parked?: ParkedRequest }) {
  const gh = githubClient(w.fake.env(), testClientOptions());
  return githubCommentGate({ ...gateOptions(w, gh), canPark: o.canPark, ...(o.parked ? { parked: o.parked } : {}) });
}

/** The options of run-1's gate on pull request 12 in that world, for a given client. */
export const gateOptions = (w: GateWorld, gh: ReturnType<typeof githubClient>) => ({
  octokit: gh.octokit,
  repo: gh.repo,
  issueNumber: 12,
  runId: 'run-1',
  planHash: GATE_PLAN,
  initiator: '@octo-initiator',
  events: w.events,
  members: gateMembers,
  clock: w.clock,
});
