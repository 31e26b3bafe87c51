import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../support/capture-server.js';
import { bin, cliEnv, runCliAsync } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';

/**
 * Notification text is rendered per format: values (inputs, outputs) are escaped for Slack mrkdwn
 * or GitHub Markdown, so `<!channel>`, `<@U…>`, links, raw HTML and `@mentions` in a value are
 * shown as text; what the runbook author wrote in the Template or in `vars` keeps its meaning.
 * Through the CLI: Slack goes to a loopback incoming webhook, GitHub comments to a fake GitHub.
 */
const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/sre" }
spec:
  people:
    ops: { name: Ops, github: "@ops" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [ops] }
  audiences:
    chat: { people: [], channels: [slack], external: false, webhook: "{{inputs.hook}}" }
    issue: { people: [], channels: [github], external: false }
`;
const template = (name: string, channel: string, body: string) => `---
apiVersion: runbook/v1
kind: Template
metadata: { name: ${name}, owner: "@acme/sre" }
channel: ${channel}
audience: [${name === 'chat' ? 'chat' : 'issue'}]
variables:
  summary: { required: true, description: Details. }
---
${body}
`;
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: tell, owner: "@acme/sre" }
spec:
  inputs:
    hook: { type: string, required: true }
    note: { type: string, required: true }
  phases:
    - id: only
      steps:
        - id: note
          run: 'echo "said=$NOTE" >> "$RUNBOOK_OUTPUT"'
          env: { NOTE: "{{inputs.note}}" }
        - id: chat
          uses: notify
          with: { template: chat, vars: { summary: "<@U0AUTHOR> reports {{steps.note.outputs.said}}" } }
        - id: issue
          uses: notify
          with: { template: issue, vars: { summary: "@ops reports {{steps.note.outputs.said}}" } }
`;
const note = '<!channel> <@U0ATTACK> <http://evil.example|click> & @dana-lee <img src=x onerror=alert(1)>';

let root: string;
let slack: CaptureServer | undefined;
let github: FakeGithub;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-notify-escape-'));
  mkdirSync(join(root, 'runbooks', 'templates'), { recursive: true });
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directory);
  writeFileSync(
    join(root, 'runbooks', 'templates', 'chat.md.hbs'),
    template('chat', 'slack', '<!here> Failover of {{runbook.title}}: {{summary}} (input: {{inputs.note}})'),
  );
  writeFileSync(
    join(root, 'runbooks', 'templates', 'issue.md.hbs'),
    template('issue', 'github', '**Failover** cc @acme/sre <sub>auto</sub>: {{summary}} (input: {{inputs.note}})'),
  );
  writeFileSync(join(root, 'runbooks', 'tell.yaml'), runbook);
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  slack = await startCaptureServer();
  github = await startFakeGithub();
});

afterAll(async () => {
  await slack?.close();
  await github?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('notification text', () => {
  it('escapes values for Slack mrkdwn and GitHub Markdown, and keeps what the author wrote', async () => {
    const { port } = slack!;
    const r = await runCliAsync(
      [
        'run',
        'tell',
        '--root',
        root,
        '--as',
        '@ops',
        '--input',
        `hook=http://127.0.0.1:${port}/slack`,
        '--input',
        `note=${note}`,
      ],
      github.env() as Record<string, string>,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);

    expect(slack!.bodies).toHaveLength(1);
    const text = (JSON.parse(slack!.bodies[0]) as { text: string }).text;
    expect(text.startsWith('<!here> Failover of ')).toBe(true); // the author's broadcast stays
    expect(text).toContain('<@U0AUTHOR> reports ');
    for (const raw of ['<!channel>', '<@U0ATTACK>', '<http://evil.example|click>', '<img'])
      expect(text).not.toContain(raw);
    expect(text).toContain('&lt;!channel&gt; &lt;@U0ATTACK&gt; &lt;http://evil.example|click&gt; &amp; @dana-lee');

    const comment = github.comments.find((c) => c.body.includes('Failover'));
    expect(comment, JSON.stringify(github.comments.map((c) => c.body))).toBeDefined();
    const body = comment!.body;
    expect(body).toContain('**Failover** cc @acme/sre <sub>auto</sub>: @ops reports ');
    expect(body).not.toMatch(/@dana-lee/); // no mention of a person named in a value
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img');
    expect(body.match(/@ops|@acme\/sre/g)).toHaveLength(2); // only the author's mentions
  });
});
