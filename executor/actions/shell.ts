import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { MaskFile } from './mask-file.js';
import { newStepDir } from './step-dirs.js';
import { join } from 'node:path';
import { ActionError } from '../core/errors.js';
import { spawnSupervised } from '../core/process-group.js';
import type { ActionContext, ActionDefinition, PlanContext } from './action.js';
import type { ShellParams, ShellResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { ShellParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { ShellResult };

/** Characters of stdout/stderr kept in the result (the logger saw every line already). */
export const TAIL_CHARS = 64 * 1024;
/** A line longer than this is passed on in pieces, so one endless line cannot exhaust memory. */
const MAX_LINE = 16 * 1024;
const OUTPUT_FILE_LIMIT = 1024 * 1024;
export { KILL_GRACE_MS } from '../core/process-group.js';
/** How long output may still arrive after the script exited before its pipes are closed. */
const PIPE_DRAIN_MS = 1_000;
/** The only variables taken from the runner's environment; everything else comes from `env:`. */
export const BASE_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR'] as const;

/**
 * The runner's own identity for cloud CLIs (the role CI assumed, the kube context): scripts such
 * as `aws rds …` need it, and it is the runner's, not a runbook secret another step could leak.
 * More names: RUNBOOK_SHELL_PASSTHROUGH=NAME,NAME. Secret parts are masked (see runner-identity).
 */
export const IDENTITY_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'KUBECONFIG',
] as const;

function passthroughNames(): string[] {
  const extra = (process.env.RUNBOOK_SHELL_PASSTHROUGH ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s));
  const endpoints = Object.keys(process.env).filter((k) => k.startsWith('AWS_ENDPOINT_URL_'));
  return [...BASE_ENV, ...IDENTITY_ENV, ...endpoints, ...extra];
}

/**
 * `shell`: runs `script` as a file, `bash --noprofile --norc -eo pipefail <file>` (GitHub Actions'
 * `shell: bash`; `sh -e <file>` for `shell: sh`), with stdin on /dev/null so nothing waits for a
 * keyboard. The environment is the step's `env` plus PATH, HOME, LANG, TMPDIR and
 * RUNBOOK_OUTPUT: the runner's other variables (other steps' secrets, cloud credentials) never
 * reach a script that did not declare them. node:child_process, not zx: the step needs an exact
 * environment and a process group of its own, so a timeout can kill everything the script
 * started (SIGTERM, then SIGKILL after KILL_GRACE_MS) and not only the processes visible at
 * the moment of the kill. Processes still running in the group when the script exits are
 * ended the same way: a step's processes end with the step (`setsid` escapes, deliberately).
 * A watchdog (core/process-group.ts) ends the group when the executor dies too, so a `kill -9`
 * of the executor cannot leave a half-done step running while an operator decides to re-run it.
 */
export const shellAction: ActionDefinition<ShellParams, ShellResult> = {
  id: 'shell',
  rawParams: ['script'],
  async run(params, ctx) {
    const dir = await newStepDir();
    try {
      const scriptFile = join(dir, 'script.sh');
      const outputFile = join(dir, 'output');
      await writeFile(scriptFile, params.script, { mode: 0o600 });
      await writeFile(outputFile, '', { mode: 0o600 });
      const masks = new MaskFile(join(dir, 'mask'), ctx);
      let finished: Finished;
      try {
        finished = await runScript(params, ctx, scriptFile, outputFile, masks);
      } finally {
        await masks.close();
      }
      const { exitCode, stdout, stderr } = finished;
      const mask = (text: string) => ctx.secrets.mask(text);
      if (exitCode !== 0) {
        const tail = (stderr.lines.length ? stderr : stdout).last(20).map(mask).join('\n');
        throw new ActionError(`script exited with code ${exitCode}${tail ? `:\n${tail}` : ''}`, {
          code: 'shell-exit',
          providerCode: String(exitCode),
        });
      }
      const outputs = parseOutputs(await readOutputFile(outputFile));
      return { exitCode, stdout: stdout.text(mask), stderr: stderr.text(mask), outputs };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  plan(params, ctx) {
    const script = ctx.secrets.mask(params.script);
    const shell = params.shell ?? 'bash';
    return {
      summary: `${shell}: ${summaryLine(script)}`,
      calls: [
        {
          target: `local:${shell}`,
          operation: 'exec',
          // Names only: env values are rendered and may be secrets.
          args: {
            script,
            env: Object.keys(ctx.env).sort(),
            ...(params.cwd ? { cwd: ctx.secrets.mask(params.cwd) } : {}),
          },
        },
      ],
    };
  },
};

/** The environment of a script: the base, then the step's `env`, then RUNBOOK_OUTPUT. */
export function scriptEnv(
  stepEnv: Record<string, string>,
  outputFile: string,
  ctx: Pick<PlanContext, 'run' | 'step'>,
  maskFile?: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passthroughNames()) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    ...stepEnv,
    RUNBOOK_RUN_ID: ctx.run.id,
    RUNBOOK_STEP_ID: ctx.step.id,
    RUNBOOK_OUTPUT: outputFile,
    ...(maskFile ? { RUNBOOK_MASK: maskFile } : {}),
  };
}

interface Finished {
  exitCode: number;
  stdout: LineTail;
  stderr: LineTail;
}

function runScript(
  params: ShellParams,
  ctx: ActionContext,
  scriptFile: string,
  outputFile: string,
  masks: MaskFile,
): Promise<Finished> {
  const [command, ...flags] =
    params.shell === 'sh' ? ['sh', '-e'] : ['bash', '--noprofile', '--norc', '-eo', 'pipefail'];
  const cut = (text: string, at: number) => ctx.secrets.safeCut(text, at);
  const stdout = new LineTail((line) => ctx.log.stdout(ctx.secrets.mask(line)), cut);
  const stderr = new LineTail((line) => ctx.log.stderr(ctx.secrets.mask(line)), cut);
  return new Promise<Finished>((resolve, reject) => {
    if (ctx.signal.aborted) return reject(abortReason(ctx.signal));
    const { child, end: endGroup } = spawnSupervised(command, [...flags, scriptFile], {
      cwd: params.cwd ?? process.cwd(),
      env: scriptEnv(ctx.env, outputFile, ctx, masks.path),
    });
    ctx.signal.addEventListener('abort', endGroup, { once: true });
    // The mask file first: a value registered before it was printed is masked in that line.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (masks.poll(), stdout.push(chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (masks.poll(), stderr.push(chunk)));
    let drain: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      // Background processes left behind would hold secrets in their environment past the step.
      endGroup();
      // One that left the group (setsid) may hold our pipes open for ever: stop waiting for it.
      drain = setTimeout(() => [child.stdout, child.stderr].forEach((s) => s.destroy()), PIPE_DRAIN_MS);
    });
    child.once('error', (error) => {
      ctx.signal.removeEventListener('abort', endGroup);
      reject(
        new ActionError(`cannot start ${command}: ${error.message}`, {
          code: 'shell-spawn',
          cause: error,
        }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(drain);
      ctx.signal.removeEventListener('abort', endGroup);
      stdout.end();
      stderr.end();
      if (ctx.signal.aborted) return reject(abortReason(ctx.signal));
      if (code === null) {
        return reject(new ActionError(`script killed by ${signal ?? 'a signal'}`, { code: 'shell-signal' }));
      }
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new ActionError(`aborted: ${String(reason)}`, { code: 'cancelled' });
}

/** Splits a stream into lines for the logger and keeps a bounded tail for the result. */
class LineTail {
  private partial = '';
  readonly lines: string[] = [];
  private size = 0;

  /** `safeCut` moves a split point off any secret, so no secret is logged in two unmasked halves. */
  constructor(
    private readonly emit: (line: string) => void,
    private readonly safeCut: (text: string, at: number) => number = (_t, at) => at,
  ) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    let rest = text.slice(start);
    while (rest.length > MAX_LINE) {
      const cut = this.safeCut(rest, MAX_LINE);
      this.line(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    this.partial = rest;
  }

  end(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  last(n: number): string[] {
    return this.lines.slice(-n);
  }

  /** Masked before cutting, and cut at a line start, so no secret is left half-masked. */
  text(mask: (text: string) => string): string {
    const masked = mask(this.lines.join('\n'));
    if (masked.length <= TAIL_CHARS) return masked;
    const cut = masked.length - TAIL_CHARS;
    const nl = masked.indexOf('\n', cut);
    return nl >= 0 ? masked.slice(nl + 1) : masked.slice(cut);
  }

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.emit(line);
    this.lines.push(line);
    this.size += line.length + 1;
    // Whole lines are dropped, with a margin, so the tail still holds TAIL_CHARS after masking.
    while (this.size > TAIL_CHARS + MAX_LINE && this.lines.length > 1) this.size -= this.lines.shift()!.length + 1;
  }
}

async function readOutputFile(file: string): Promise<string> {
  const { size } = await stat(file);
  if (size > OUTPUT_FILE_LIMIT) {
    throw new ActionError(`$RUNBOOK_OUTPUT is ${size} bytes, more than the ${OUTPUT_FILE_LIMIT} allowed`, {
      code: 'shell-output',
    });
  }
  return readFile(file, 'utf8');
}

const outputName = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Parses `$RUNBOOK_OUTPUT` like GitHub's `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIM`
 * blocks ended by a line `DELIM`. Errors name the line number, never the value (it may be a secret).
 */
export function parseOutputs(text: string): Record<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  const fail = (n: number, why: string) =>
    new ActionError(`$RUNBOOK_OUTPUT line ${n + 1}: ${why}`, { code: 'shell-output' });
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq > 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (!outputName.test(name)) throw fail(i, 'invalid output name');
      out.set(name, line.slice(eq + 1));
      continue;
    }
    if (heredoc <= 0) throw fail(i, 'expected name=value or name<<DELIMITER');
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (!outputName.test(name)) throw fail(i, 'invalid output name');
    if (delimiter === '') throw fail(i, 'empty heredoc delimiter');
    const end = lines.indexOf(delimiter, i + 1);
    if (end < 0) throw fail(i, `no closing line ${JSON.stringify(delimiter)} for ${name}`);
    out.set(name, lines.slice(i + 1, end).join('\n'));
    i = end;
  }
  return Object.fromEntries(out);
}

/** The first line that says what the script does (not a shebang, comment or `set -…`). */
function summaryLine(script: string): string {
  const lines = script.split('\n').map((l) => l.trim());
  const line = lines.find((l) => l !== '' && !l.startsWith('#') && !/^set\s+[-+]/.test(l)) ?? lines[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
