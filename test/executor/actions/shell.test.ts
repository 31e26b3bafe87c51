import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IDENTITY_ENV, parseOutputs, shellAction } from '../../../executor/actions/shell.js';
import { ActionError, StepTimeout } from '../../../executor/core/errors.js';
import { fakeContext } from './context.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shell-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

/** A process that is gone or a zombie no longer runs; zombies are reaped by init in its own time. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid` stops running within the deadline (generous: it only bounds a failure). */
async function gone(pid: number, withinMs = 30_000): Promise<boolean> {
  for (const end = Date.now() + withinMs; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    if (!running(pid)) return true;
  }
  return false;
}

describe('shell', () => {
  it('turns RUNBOOK_OUTPUT lines and heredoc blocks into outputs and streams stdout', async () => {
    const { ctx, rec } = fakeContext();
    const script = [
      'echo "starting"',
      'echo "endpoint=db.example.com:5432" >> "$RUNBOOK_OUTPUT"',
      'echo "query=a=b" >> "$RUNBOOK_OUTPUT"',
      '{ echo "report<<EOF"; echo "line 1"; echo "line=2"; echo "EOF"; } >> "$RUNBOOK_OUTPUT"',
    ].join('\n');
    const result = await shellAction.run({ script }, ctx);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ endpoint: 'db.example.com:5432', query: 'a=b', report: 'line 1\nline=2' });
    expect(rec.stdout).toEqual(['starting']);
    expect(result.stdout).toBe('starting');
  });

  it('passes only the step env and a minimal base, never the rest of the runner environment', async () => {
    vi.stubEnv('RUNBOOK_TEST_UNDECLARED', 'must-not-leak');
    // The runner identity passes through by design: unset here, whatever the CI job or the
    // developer's shell has (AWS_REGION, KUBECONFIG, RUNBOOK_SHELL_PASSTHROUGH, …).
    for (const name of [
      ...IDENTITY_ENV,
      'RUNBOOK_SHELL_PASSTHROUGH',
      ...Object.keys(process.env).filter((k) => k.startsWith('AWS_ENDPOINT_URL_')),
    ]) {
      vi.stubEnv(name, undefined);
    }
    const { ctx, rec } = fakeContext({ env: { DECLARED: 'yes' } });
    const result = await shellAction.run(
      {
        script:
          'echo "leak=${RUNBOOK_TEST_UNDECLARED:-absent}" >> "$RUNBOOK_OUTPUT"\necho "declared=$DECLARED" >> "$RUNBOOK_OUTPUT"\nenv | cut -d= -f1 | sort',
      },
      ctx,
    );
    expect(result.outputs).toEqual({ leak: 'absent', declared: 'yes' });
    const allowed = new Set([
      'PATH',
      'HOME',
      'LANG',
      'TMPDIR',
      'DECLARED',
      'RUNBOOK_OUTPUT',
      'RUNBOOK_MASK',
      'RUNBOOK_RUN_ID',
      'RUNBOOK_STEP_ID',
      'PWD',
      'SHLVL',
      '_',
    ]);
    expect(rec.stdout.filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('masks secrets in streamed lines, in the result and in the error', async () => {
    const secret = 'hunter2-very-secret';
    const { ctx, rec } = fakeContext({ env: { TOKEN: secret }, secrets: [secret] });
    const ok = await shellAction.run({ script: 'echo "token is $TOKEN"\necho "stderr $TOKEN" >&2' }, ctx);
    expect(ok.stdout).toBe('token is ***');
    expect(ok.stderr).toBe('stderr ***');
    expect(rec.stdout).toEqual(['token is ***']);
    expect(rec.stderr).toEqual(['stderr ***']);

    const error = await shellAction
      .run({ script: 'echo "cannot log in with $TOKEN" >&2\nexit 3' }, ctx)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'shell-exit', providerCode: '3' });
    // The masked stderr in the message is the behaviour under test.
    expect((error as ActionError).message).toContain('cannot log in with ***');
    expect((error as ActionError).message).not.toContain(secret);
  });

  it('delivers env values to the script as data, never as code', async () => {
    const canary = join(dir, 'injected');
    const values = [
      '"; rm -rf / #',
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `line one\nline two; touch ${canary}\n`,
      '\'single\' "double" \\ $HOME ${PATH} * ? [a] ~ & | ; < > !!',
    ];
    for (const [i, value] of values.entries()) {
      const target = join(dir, `value-${i}`);
      const { ctx } = fakeContext({ env: { VALUE: value, TARGET: target } });
      await shellAction.run({ script: 'printf \'%s\' "$VALUE" > "$TARGET"' }, ctx);
      expect(await readFile(target, 'utf8')).toBe(value);
    }
    expect(existsSync(canary)).toBe(false);
  });

  it('fails with the exit code and the last stderr lines', async () => {
    const { ctx } = fakeContext();
    const error = (await shellAction
      .run({ script: 'echo "working"\necho "boom: disk full" >&2\nexit 7' }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'shell-exit', providerCode: '7', retryable: true });
    // The last stderr lines in the message are the behaviour under test.
    expect(error.message).toContain('boom: disk full');
  });

  it('runs with -e and pipefail: a failing command in the middle fails the step', async () => {
    const { ctx } = fakeContext();
    await expect(
      shellAction.run({ script: 'false | cat\necho "not reached" >> "$RUNBOOK_OUTPUT"' }, ctx),
    ).rejects.toMatchObject({ code: 'shell-exit', providerCode: '1' });
  });

  it('on abort kills the whole process group, grandchildren included', async () => {
    const controller = new AbortController();
    let grandchild = 0;
    const { ctx, rec } = fakeContext({ signal: controller.signal });
    const started = Date.now();
    const running$ = shellAction.run(
      { script: 'sleep 30 &\necho "child=$!"\nwait' },
      {
        ...ctx,
        log: {
          ...ctx.log,
          stdout: (line) => {
            rec.stdout.push(line);
            grandchild = Number(line.split('=')[1]);
            controller.abort(new StepTimeout(100));
          },
        },
      },
    );
    await expect(running$).rejects.toBeInstanceOf(StepTimeout);
    // Far below the 30 s the group would live unkilled, far above any load's delay.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(grandchild).toBeGreaterThan(0);
    expect(await gone(grandchild)).toBe(true);
  });

  it('ends background processes left behind when the script exits', async () => {
    const { ctx } = fakeContext();
    const result = await shellAction.run(
      { script: 'sleep 30 > /dev/null 2>&1 &\necho "child=$!" >> "$RUNBOOK_OUTPUT"' },
      ctx,
    );
    expect(await gone(Number(result.outputs.child))).toBe(true);
  });

  it('does not wait for a process that left the group but holds the output pipes', async () => {
    const { ctx } = fakeContext();
    const started = Date.now();
    const script = [
      'setsid sleep 300 &',
      'pid=$!',
      // Exit only once it has its own session, or the group kill would still reach it.
      'until [ "$(cut -d" " -f6 /proc/$pid/stat)" = "$pid" ]; do sleep 0.02; done',
      'echo "escaped=$pid" >> "$RUNBOOK_OUTPUT"',
    ].join('\n');
    const result = await shellAction.run({ script }, ctx);
    const escaped = Number(result.outputs.escaped);
    try {
      expect(running(escaped)).toBe(true);
      // Waiting for the pipes would take the escaped sleep's 300 s; a loaded machine, a few seconds.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      process.kill(escaped, 'SIGKILL');
    }
  }, 60_000);

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new StepTimeout(1));
    const { ctx } = fakeContext({ signal: controller.signal });
    await expect(shellAction.run({ script: `touch ${join(dir, 'never')}` }, ctx)).rejects.toBeInstanceOf(StepTimeout);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('honours cwd and sh', async () => {
    const { ctx } = fakeContext();
    const result = await shellAction.run(
      { script: 'echo "dir=$(pwd)" >> "$RUNBOOK_OUTPUT"', shell: 'sh', cwd: dir },
      ctx,
    );
    expect(result.outputs.dir).toBe(dir);
  });

  it('keeps only a bounded, line-aligned tail of a long output', async () => {
    const { ctx, rec } = fakeContext();
    const result = await shellAction.run(
      { script: 'for i in $(seq 1 20000); do echo "line $i of the long output"; done' },
      ctx,
    );
    expect(rec.stdout).toHaveLength(20000);
    expect(result.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(result.stdout.endsWith('line 20000 of the long output')).toBe(true);
    expect(result.stdout.split('\n')[0]).toMatch(/^line \d+ of the long output$/);
  });

  it('rejects a malformed RUNBOOK_OUTPUT line without echoing its value', async () => {
    const { ctx } = fakeContext();
    const error = (await shellAction
      .run({ script: 'echo "just-a-secret-looking-value" >> "$RUNBOOK_OUTPUT"' }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toMatchObject({ code: 'shell-output', retryable: false });
    // The line number, and not the value, in the message is the behaviour under test.
    expect(error.message).toContain('line 1');
    expect(error.message).not.toContain('just-a-secret-looking-value');
  });
});

describe('parseOutputs', () => {
  it('reads CRLF, values with = and <<, and skips blank lines', () => {
    expect(parseOutputs('a=1\r\n\r\nb=x=y<<z\r\nc<<END\r\n<<not the end\r\nEND\r\n')).toEqual({
      a: '1',
      b: 'x=y<<z',
      c: '<<not the end',
    });
  });

  it('the last value of a name wins and __proto__ is just a name', () => {
    const out = parseOutputs('a=1\na=2\n__proto__=x\n');
    expect(out.a).toBe('2');
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('reports an unterminated heredoc and an invalid name', () => {
    // The line named in the message (the user's file position) is the behaviour under test.
    expect(() => parseOutputs('x<<EOF\nvalue\n')).toThrow(/line 1: no closing line "EOF"/);
    expect(() => parseOutputs('ok=1\nbad name=1\n')).toThrow(/line 2: invalid output name/);
  });
});
