import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A step of a generated job, as the YAML has it. */
export interface JobStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
}

/** What `${{ … }}` may refer to in the steps run here. */
export interface Contexts {
  inputs: Record<string, string>;
  github: Record<string, string>;
  secrets: Record<string, string>;
}

export interface StepOutcome {
  name: string;
  kind: 'run' | 'uses';
  code: number;
  output: string;
}

/**
 * Runs a job's steps in order, as a GitHub-hosted runner would, on this machine: each `run:` is
 * written to a file under RUNNER_TEMP and run by `bash -e` (GitHub's default shell on Linux),
 * with the job's environment plus the step's `env:` (expressions evaluated); `GITHUB_ENV` lines
 * are carried to later steps. A `uses:` step is handed to `uses`, which does what the action would
 * (or asserts what it needs). A step without `if:` runs only while every earlier step succeeded;
 * `if: always()` runs regardless (GitHub's status-check functions; no other `if:` is expected).
 */
export async function runSteps(
  steps: JobStep[],
  o: { cwd: string; env: NodeJS.ProcessEnv; contexts: Contexts; uses: (s: JobStep) => void },
): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  const env = { ...o.env };
  for (const [i, step] of steps.entries()) {
    const failed = out.some((s) => s.code !== 0);
    if (step.if !== undefined && step.if !== 'always()') throw new Error(`unsupported if: ${step.if}`);
    if (failed && step.if !== 'always()') continue;
    const name = step.name ?? `step ${i}`;
    if (step.uses) {
      o.uses({ ...step, with: evaluateAll(step.with ?? {}, o.contexts) });
      out.push({ name, kind: 'uses', code: 0, output: '' });
      continue;
    }
    const script = join(env.RUNNER_TEMP as string, `step-${i}.sh`);
    writeFileSync(script, step.run ?? '');
    const stepEnv = { ...env, ...evaluateAll(step.env ?? {}, o.contexts) } as NodeJS.ProcessEnv;
    const r = await bash(script, o.cwd, stepEnv);
    out.push({ name, kind: 'run', ...r });
    Object.assign(env, readEnvFile(env.GITHUB_ENV as string));
  }
  return out;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** `${{ inputs.x }}`, `${{ github.token }}`, `${{ secrets.X }}`: the only expressions generated steps use. */
function evaluate(text: string, c: Contexts): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    const [ctx, key, ...rest] = expr.split('.');
    const table = (c as unknown as Record<string, Record<string, string>>)[ctx];
    if (!table || rest.length > 0 || key === undefined) throw new Error(`unsupported expression \${{ ${expr} }}`);
    return table[key] ?? ''; // GitHub evaluates a missing secret or input to an empty string
  });
}

function evaluateAll(values: Record<string, unknown>, c: Contexts): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, evaluate(String(v), c)]));
}

/** `NAME=value` lines a step appended to $GITHUB_ENV (the heredoc form is not used by these steps). */
function readEnvFile(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
