import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { bin, cliEnv, runCliAsync } from './cli.js';

/**
 * `runbook run NAME` under `root` (a libraryRoot copy) with an approvals file in which a DBA
 * (@dana-lee, unsigned: the library's database gates allow it) approves `gates` for this exact
 * plan (`runbook plan --json`); nested runbooks' gates ask under their own step ids.
 */
export async function runApproved(o: {
  root: string;
  name: string;
  inputs?: Record<string, string>;
  env: Record<string, string>;
  gates: string[];
  timeoutMs: number;
}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const args = Object.entries(o.inputs ?? {}).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const plan = spawnSync(process.execPath, [bin, 'plan', o.name, '--root', o.root, ...args, '--json'], {
    encoding: 'utf8',
    env: cliEnv(o.env),
    timeout: 60_000,
  });
  if (plan.status !== 0) throw new Error(`plan failed (${plan.status}):\n${plan.stdout}${plan.stderr}`);
  const { planHash } = JSON.parse(plan.stdout) as { planHash: string };
  const file = join(o.root, `approvals-${o.name}-${Date.now()}.yaml`);
  const entries = o.gates.map((step) => `  - { step: ${step}, approver: "@dana-lee", planHash: ${planHash} }`);
  writeFileSync(file, `approvals:\n${entries.join('\n')}\nconfirmations:\n  by: "@dana-lee"\n`);
  return runCliAsync(['run', o.name, '--root', o.root, ...args, '--approvals', file], o.env, o.timeoutMs, o.root);
}

/** One query on a fresh connection (closed afterwards). */
export async function sql(
  url: string,
  text: string,
  params: unknown[] = [],
  connectMs = 10_000,
): Promise<Record<string, any>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls `check` (condition-based, bounded) until it holds; an error (not replicated yet) counts as not yet. */
export async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
