import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cliEnv } from './cli.js';
import type { CliProcess } from './crash.js';

/**
 * The runbook of the two-runner kill test. Every non-idempotent step appends `<id> do` to the
 * shared marker file `$M` (outside both runners' directories), and its compensation `<id> undo`.
 * Each effect is surrounded by two gates in `$G`: the script writes its pid to `<gate>.at`, then
 * waits for `go-<gate>`; `pre-<id>` is before the effect, `post-<id>` after it (`undo-pre-<id>`,
 * `undo-post-<id>` for the compensation). `check` fails while `$G/fail` exists, and the runbook
 * rolls back on failure. The fanout phase's three steps run in parallel once `kick` ended, so
 * their records are group-committed.
 */
export const nonIdempotent = ['a1', 'a2', 'p1', 'p2', 'p3', 'last'] as const;
export const reversible = ['a1', 'a2', 'p1', 'p2', 'p3'] as const;

/** Every gate of the runbook (all open but a kill point's). */
export const allGates: string[] = [
  ...nonIdempotent.flatMap((id) => [`pre-${id}`, `post-${id}`]),
  ...reversible.flatMap((id) => [`undo-pre-${id}`, `undo-post-${id}`]),
  'pre-kick',
  'pre-check',
];

const env = `env: { M: "{{inputs.marker}}", G: "{{inputs.gates}}" }`;
const at = `at() { echo "$$" > "$G/$1.at.tmp" && mv "$G/$1.at.tmp" "$G/$1.at"; until [ -e "$G/go-$1" ]; do sleep 0.02; done; }`;

/** A gated effect: the lines of a `run:` block, indented by `pad`. */
function effect(id: string, undo: boolean, pad: string): string {
  const tag = undo ? 'undo-' : '';
  return [
    `run: |`,
    `  ${at}`,
    `  at ${tag}pre-${id}`,
    `  echo "${id} ${undo ? 'undo' : 'do'}" >> "$M"`,
    `  at ${tag}post-${id}`,
    env,
  ]
    .map((l) => pad + l)
    .join('\n');
}

function step(id: string, o: { needs?: string; undo?: boolean }): string {
  const pad = '          ';
  return [
    `        - id: ${id}`,
    ...(o.needs ? [`${pad}needs: [${o.needs}]`] : []),
    effect(id, false, pad),
    ...(o.undo ? [`${pad}rollback:`, effect(id, true, pad + '  ')] : []),
  ].join('\n');
}

export const twoRunnerRunbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: two-runner, owner: "@acme/sre" }
spec:
  inputs:
    marker: { type: string, required: true }
    gates: { type: string, required: true }
  onFailure: rollback
  phases:
    - id: prepare
      steps:
${step('a1', { undo: true })}
${step('a2', { undo: true })}
    - id: fanout
      parallel: true
      steps:
        - id: kick
          idempotent: true
          run: |
            ${at}
            at pre-kick
          ${env}
${step('p1', { needs: 'kick', undo: true })}
${step('p2', { needs: 'kick', undo: true })}
${step('p3', { needs: 'kick', undo: true })}
    - id: finish
      steps:
        - id: check
          idempotent: true
          run: |
            ${at}
            at pre-check
            [ ! -e "$G/fail" ]
          ${env}
${step('last', {})}
`;

/** The marker file's lines. */
export function effects(marker: string): string[] {
  return existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean) : [];
}

/** Whether step `id`'s effect is in place now: more `do` than `undo` lines. */
export function effectInPlace(marker: string, id: string): boolean {
  const lines = effects(marker);
  return lines.filter((l) => l === `${id} do`).length > lines.filter((l) => l === `${id} undo`).length;
}

/**
 * Effects that happened twice in a row without the opposite one in between: a `do` while the
 * effect was in place, or an `undo` while it was not. Each is a duplicated non-idempotent effect.
 */
export function duplicatedEffects(marker: string): string[] {
  const state = new Map<string, boolean>();
  const out: string[] = [];
  for (const line of effects(marker)) {
    const [id, what] = line.split(' ');
    const on = state.get(id) ?? false;
    if ((what === 'do') === on) out.push(line);
    state.set(id, what === 'do');
  }
  return out;
}

/** The pid a gate's script wrote, once it reached the gate. */
export function pidAt(gates: string, gate: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(gates, `${gate}.at`), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `runbook ARGS` as a runner the test can kill like a lost machine: in a process group of its
 * own (`detached` is setsid(2)), so `kill -9 -PGID` takes the executor and anything it started
 * in its group at once. Step scripts run in groups of their own and die with the executor by
 * the product's watchdog (executor/core/process-group.ts).
 */
export function startRunner(args: string[], cwd: string): Runner {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    },
  );
  const runner: Runner = {
    child,
    ended,
    output: () => stdout + stderr,
    async killGroup() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await ended;
    },
  };
  started.add(runner);
  void ended.finally(() => started.delete(runner));
  return runner;
}

export type Runner = CliProcess & { killGroup(): Promise<void> };
const started = new Set<Runner>();

/** Kills every runner still alive (afterAll: a failed test must not leave one holding a gate). */
export async function killRunners(): Promise<void> {
  await Promise.all([...started].map((r) => r.killGroup()));
}
