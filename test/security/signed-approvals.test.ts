import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * Signed local approvals (issue 9): an approver signs {plan hash, step, handle, mode} with their
 * SSH key (`runbook approve`, i.e. ssh-keygen -Y sign); the run verifies with ssh-keygen -Y verify
 * against the keys the Directory lists for that person. Unsigned local approvals count only where
 * the runbook allows them, marked unverified. Real ssh-keygen, keys made here in a temp dir.
 */
const gate = (name: string, extra = '') => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - id: approve
          uses: approval
          with: { message: "Go?", approvers: ["@acme/dba"], required: 2${extra} }
        - { id: act, run: echo acted }
`;

let root: string;
const keys: Record<string, string> = {};
const hashes: Record<string, string> = {};
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });
const keygen = (...args: string[]) => spawnSync('ssh-keygen', args, { encoding: 'utf8', timeout: 30_000 });

/** A Directory whose DBAs (dana-lee, riley-park) list their own public keys; mallory has a key but is not listed. */
function directory(): string {
  const pub = (who: string) => JSON.stringify(readFileSync(`${keys[who]}.pub`, 'utf8').trim());
  return `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/dba" }
spec:
  people:
    dana-lee: { name: Dana Lee, github: "@dana-lee", signingKeys: [${pub('dana')}] }
    riley-park: { name: Riley Park, github: "@riley-park", signingKeys: [${pub('riley')}] }
    ops: { name: Ops, github: "@ops" }
  teams:
    dba: { name: DBA, github: "@acme/dba", members: [dana-lee, riley-park] }
`;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-signed-'));
  mkdirSync(join(root, 'runbooks'));
  mkdirSync(join(root, 'keys'));
  for (const who of ['dana', 'riley', 'mallory']) {
    keys[who] = join(root, 'keys', who);
    const made = keygen('-q', '-t', 'ed25519', '-N', '', '-C', who, '-f', keys[who]);
    expect(made.status, made.stderr).toBe(0);
  }
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directory());
  writeFileSync(join(root, 'runbooks', 'gate.yaml'), gate('gate'));
  writeFileSync(join(root, 'runbooks', 'open-gate.yaml'), gate('open-gate', ', allowUnsigned: true'));
  const compiled = cli('compile');
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  const hashOf = (...args: string[]) =>
    (JSON.parse(cli('plan', ...args, '--json').stdout) as { planHash: string }).planHash;
  hashes.live = hashOf('gate');
  hashes.drill = hashOf('gate', '--drill');
  hashes.open = hashOf('open-gate');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
const newFile = () => join(root, `approvals-${++files}.yaml`);

/** `runbook approve` as an approver would type it; returns the approvals file. */
function approve(file: string, o: { as: string; key: string; plan?: string; step?: string; mode?: string }): string {
  const r = cli(
    'approve',
    '--plan',
    o.plan ?? hashes.live,
    '--step',
    o.step ?? 'approve',
    '--as',
    o.as,
    '--key',
    keys[o.key],
    '--approvals',
    file,
    ...(o.mode ? ['--mode', o.mode] : []),
  );
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return file;
}

/** Entries of an approvals file, to tamper with as an attacker would. */
const entries = (file: string) =>
  (parse(readFileSync(file, 'utf8')) as { approvals: Record<string, unknown>[] }).approvals;
const writeEntries = (file: string, approvals: Record<string, unknown>[]) =>
  writeFileSync(file, JSON.stringify({ approvals }));

/** Runs (or drills) a runbook with an approvals file; its outcome and the approval records of its audit log. */
function runWith(name: string, file: string, command = 'run') {
  const r = cli(command, name, '--as', '@ops', '--approvals', file);
  const runId = runIdOf(r.stdout);
  const audit = parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
  const acted = audit.some((x) => x.type === 'step:end' && x.stepId === 'act');
  const refusals = audit
    .filter((x) => x.type === 'approval:refused')
    .map((x) => x.data as { stepId: string; approver?: string; source: string; reason: string });
  const grants = audit
    .filter((x) => x.type === 'approval:granted')
    .map((x) => (x.data as { approval: { approver: string; verified?: boolean; key?: string } }).approval);
  const end = audit.find((x) => x.type === 'run:end')?.data as { status: string } | undefined;
  return {
    status: r.status,
    acted,
    refusals,
    grants,
    end,
    stdout: r.stdout,
    stderr: r.stderr,
    output: r.stdout + r.stderr,
    audit: JSON.stringify(audit),
  };
}

const fingerprint = (who: string) => /(SHA256:\S+)/.exec(keygen('-l', '-f', `${keys[who]}.pub`).stdout)![1];

describe('signed local approvals', () => {
  it('signatures by two people with their own keys count, and are marked verified in the audit and the summary', () => {
    const file = approve(approve(newFile(), { as: '@dana-lee', key: 'dana' }), { as: '@Riley-Park', key: 'riley' });
    const r = runWith('gate', file);
    expect(r.status, r.output).toBe(0);
    expect(r.acted).toBe(true);
    expect(r.grants).toEqual([
      expect.objectContaining({ approver: '@dana-lee', verified: true, key: fingerprint('dana') }),
      expect.objectContaining({ approver: '@riley-park', verified: true, key: fingerprint('riley') }),
    ]);
    expect(r.stdout).toMatch(/approved by @dana-lee .*verified signature/);
    // The private keys never leave ssh-keygen.
    const secret = readFileSync(keys.dana, 'utf8').split('\n')[1];
    expect(r.output + readFileSync(file, 'utf8')).not.toContain(secret);
  });

  it("a signature made with another person's key does not count, and the refusal is audited", () => {
    const file = approve(newFile(), { as: '@dana-lee', key: 'dana' });
    approve(file, { as: '@riley-park', key: 'dana' }); // Dana signs as Riley: a key the Directory lists, but for Dana
    approve(file, { as: '@riley-park', key: 'mallory' }); // a key the Directory does not list at all
    const r = runWith('gate', file);
    expect(r.status).not.toBe(0);
    expect(r.acted).toBe(false);
    const riley = r.refusals.filter((x) => x.approver === '@riley-park');
    expect(riley).toHaveLength(2);
    for (const x of riley) expect(x.reason).toMatch(/does not verify for @riley-park/);
  });

  it('a signature given for another step, plan hash or mode does not count when the entry is edited to fit this run', () => {
    const file = approve(newFile(), { as: '@dana-lee', key: 'dana' });
    const other = (o: Parameters<typeof approve>[1]) => entries(approve(newFile(), o))[0];
    const forStep = { ...other({ as: '@riley-park', key: 'riley', step: 'other-step' }), step: 'approve' };
    const forPlan = {
      ...other({ as: '@riley-park', key: 'riley', plan: hashes.drill, mode: 'drill' }),
      planHash: hashes.live,
      mode: 'live',
    };
    const forMode = { ...other({ as: '@riley-park', key: 'riley', mode: 'drill' }), mode: 'live' };
    for (const forged of [forStep, forPlan, forMode]) {
      const attempt = newFile();
      writeEntries(attempt, [...entries(file), forged]);
      const r = runWith('gate', attempt);
      expect(r.acted, JSON.stringify(forged)).toBe(false);
      expect(r.refusals.find((x) => x.approver === '@riley-park')?.reason).toMatch(/does not verify/);
    }
  });

  it('unsigned approvals are refused by default, and each refusal is audited', () => {
    const file = newFile();
    writeEntries(file, [
      { step: 'approve', approver: '@dana-lee', planHash: hashes.live },
      { step: 'approve', approver: '@riley-park', planHash: hashes.live },
    ]);
    const r = runWith('gate', file);
    expect(r.status).not.toBe(0);
    expect(r.acted).toBe(false);
    expect(r.refusals.filter((x) => /unsigned/.test(x.reason)).map((x) => x.approver)).toEqual([
      '@dana-lee',
      '@riley-park',
    ]);
  });

  it('where the runbook allows unsigned approvals they count, marked unverified in the audit, the summary and the drill report', () => {
    const file = newFile();
    writeEntries(file, [{ step: 'approve', approver: '@dana-lee', planHash: hashes.open }]);
    approve(file, { as: '@riley-park', key: 'riley', plan: hashes.open });
    const r = runWith('open-gate', file);
    expect(r.status, r.output).toBe(0);
    expect(r.grants).toEqual([
      expect.objectContaining({ approver: '@dana-lee', verified: false }),
      expect.objectContaining({ approver: '@riley-park', verified: true }),
    ]);
    expect(r.stdout).toMatch(/approved by @dana-lee .*UNVERIFIED/);

    const drillPlan = (JSON.parse(cli('plan', 'open-gate', '--drill', '--json').stdout) as { planHash: string })
      .planHash;
    const drillFile = newFile();
    writeEntries(drillFile, [{ step: 'approve', approver: '@dana-lee', planHash: drillPlan }]);
    approve(drillFile, { as: '@riley-park', key: 'riley', plan: drillPlan, mode: 'drill' });
    const d = runWith('open-gate', drillFile, 'drill');
    expect(d.status, d.output).toBe(0);
    const report = readFileSync(join(root, /^drill report: (.+)$/m.exec(d.stdout)![1]), 'utf8');
    expect(report).toMatch(/@dana-lee[^\n]*unverified|unverified[^\n]*@dana-lee/);
    expect(report).toMatch(/verified signature/);
  });

  it('one person counted twice is refused and audited, even with two valid signatures', () => {
    const file = approve(approve(newFile(), { as: '@dana-lee', key: 'dana' }), { as: 'DANA-LEE', key: 'dana' });
    const r = runWith('gate', file);
    expect(r.acted).toBe(false);
    expect(r.refusals.find((x) => x.approver === '@dana-lee' && /counts once/.test(x.reason))).toBeDefined();
  });
});

/**
 * `runbook run` at a terminal (a pseudo-terminal from util-linux `script`, CI unset so the CLI
 * prompts): each answer is typed once its prompt has appeared, never after a fixed delay.
 */
function runAtTerminal(name: string, answers: [RegExp, string][]): Promise<{ status: number | null; output: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, bin, 'run', name, '--as', '@ops', '--root', root].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: cliEnv({ CI: '' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let from = 0;
    const onData = (d: Buffer) => {
      output += d.toString();
      const next = answers[0];
      const m = next && next[0].exec(output.slice(from));
      if (!m) return;
      from += m.index + m[0].length;
      answers.shift();
      child.stdin.write(next[1] + '\n');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output: output.replace(/\r/g, '') });
    });
  });
}

const auditOf = (output: string) => {
  const audit = parseAuditText(
    readFileSync(join(root, '.runbook', 'runs', runIdOf(output), 'audit.jsonl'), 'utf8'),
  ).records;
  return {
    acted: audit.some((x) => x.type === 'step:end' && x.stepId === 'act'),
    refusals: audit
      .filter((x) => x.type === 'approval:refused')
      .map((x) => x.data as { approver?: string; source: string; reason: string }),
    grants: audit
      .filter((x) => x.type === 'approval:granted')
      .map((x) => (x.data as { approval: { approver: string; source: string; verified?: boolean } }).approval),
  };
};

describe('terminal approvals', () => {
  const handle = /approver \(GitHub handle, empty to stop\): /;
  const yesNo = /\[yes\/no\] /;

  it('are not asked for, nor counted, where the gate accepts only signed approvals', async () => {
    const r = await runAtTerminal('gate', [
      [handle, 'dana-lee'],
      [yesNo, 'yes'],
      [handle, 'riley-park'],
      [yesNo, 'yes'],
      [handle, ''],
    ]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/accepts only signed approvals/);
    const a = auditOf(r.output);
    expect(a.acted).toBe(false);
    expect(a.grants).toEqual([]);
    expect(a.refusals.at(-1)?.reason).toMatch(/2 approval\(s\) required .* 0 valid/);
  });

  it('count as unverified where the gate allows unsigned approvals, and a "no" is audited as a refusal', async () => {
    const r = await runAtTerminal('open-gate', [
      [handle, 'dana-lee'],
      [yesNo, 'no'],
      [handle, 'dana-lee'],
      [yesNo, 'yes'],
      [handle, 'riley-park'],
      [yesNo, 'yes'],
    ]);
    expect(r.status, r.output).toBe(0);
    const a = auditOf(r.output);
    expect(a.acted).toBe(true);
    expect(a.refusals).toEqual([
      expect.objectContaining({ approver: 'dana-lee', source: 'local-prompt', reason: 'declined at the terminal' }),
    ]);
    expect(a.grants).toEqual([
      expect.objectContaining({ approver: 'dana-lee', source: 'local-prompt', verified: false }),
      expect.objectContaining({ approver: 'riley-park', source: 'local-prompt', verified: false }),
    ]);
  });
});

describe('approvals files that cannot be used', () => {
  it('a file that does not parse refuses the run, audited with the file and position, and without its content', () => {
    const file = newFile();
    const token = 'ghp_' + 'Zq7'.repeat(12);
    writeFileSync(
      file,
      `approvals:\n  - { step: approve, approver: "@dana-lee", planHash: ${hashes.live} }\n  - { step: approve, token: ${token} }}\n`,
    );
    const r = runWith('gate', file);
    expect(r.status).not.toBe(0);
    expect(r.acted).toBe(false);
    expect(r.end?.status).toBe('refused');
    const refusal = r.refusals.find((x) => x.source === 'approvals-file');
    expect(refusal?.reason).toContain(file);
    expect(refusal?.reason).toMatch(/line 3, column \d+/);
    expect(r.stderr).toMatch(/line 3, column \d+/);
    expect(r.output + r.audit).not.toContain(token);
  });

  it('an entry without approver is refused with its position, audited', () => {
    const file = newFile();
    writeFileSync(file, `approvals:\n  - step: approve\n    planHash: ${hashes.live}\n`);
    const r = runWith('gate', file);
    expect(r.end?.status).toBe('refused');
    expect(r.refusals.find((x) => x.source === 'approvals-file')?.reason).toMatch(
      /line 2, column \d+: entry 1 needs "approver"/,
    );
  });

  it('an oversized file refuses the run, audited', () => {
    const file = newFile();
    writeFileSync(file, `# ${'x'.repeat(70 * 1024)}\napprovals: []\n`);
    const r = runWith('gate', file);
    expect(r.status).not.toBe(0);
    expect(r.end?.status).toBe('refused');
    expect(r.refusals.find((x) => x.source === 'approvals-file')?.reason).toMatch(/more than the limit/);
  });
});

describe('Directory signing keys', () => {
  it('one key listed for two people is a compile error (its holder would count twice)', () => {
    const other = mkdtempSync(join(tmpdir(), 'runbook-signed-dir-'));
    try {
      mkdirSync(join(other, 'runbooks'));
      const shared = directory().replace(
        /(riley-park: \{[^\n]*signingKeys: \[)[^\]]*\]/,
        `$1${JSON.stringify(readFileSync(`${keys.dana}.pub`, 'utf8').trim())}]`,
      );
      writeFileSync(join(other, 'runbooks', 'directory.yaml'), shared);
      writeFileSync(join(other, 'runbooks', 'gate.yaml'), gate('gate'));
      const r = spawnSync(process.execPath, [bin, 'validate', '--format', 'json', '--root', other], {
        encoding: 'utf8',
        env: cliEnv(),
        timeout: 60_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain('signing-key-shared');
      expect(existsSync(join(other, 'generated'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
