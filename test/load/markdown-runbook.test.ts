import { describe, expect, it } from 'vitest';
import { positionAt } from '../../compiler/source/source-file.js';
import { codes, find, fixture, load, runbook, within } from './markdown-helpers.js';
import { loadFile } from '../../compiler/load/load-file.js';

const contractExample = {
  apiVersion: 'runbook/v1',
  kind: 'Runbook',
  metadata: { name: 'database-corruption-recovery', owner: '@acme/dba', title: 'Database corruption or data loss' },
  spec: {
    objectives: { rto: '2h', rpo: '24h' },
    inputs: { recovery_point: { type: 'string', required: true } },
    phases: [
      {
        id: 'contain',
        title: 'Contain',
        budget: '15m',
        steps: [
          {
            id: 'stop-writes',
            title: 'Stop application writes',
            description: 'Scale the writers to zero so nothing new lands on the corrupted database.',
            run: 'kubectl scale deployment order-service --replicas=0',
            timeout: '5m',
          },
          {
            id: 'forensic-snapshot',
            title: 'Snapshot the corrupted database for forensics',
            uses: 'aws.rds.create-db-snapshot',
            with: { dbInstanceIdentifier: 'ecommerce-prod-db', dbSnapshotIdentifier: 'pre-recovery-{{run.id}}' },
          },
          {
            id: 'forensic-snapshot-approval',
            uses: 'approval',
            with: { message: 'Restore over production? Two DBAs must approve.' },
          },
        ],
      },
      {
        id: 'validate',
        title: 'Validate',
        steps: [
          {
            id: 'post-recovery-checks',
            title: 'Post-recovery checks',
            uses: 'checklist',
            with: { items: [{ text: 'Referential integrity holds' }, { text: 'Recent transactions are present' }] },
          },
        ],
      },
    ],
  },
};

describe('loadMarkdownRunbook: the contract example', () => {
  const file = fixture('database-corruption-recovery.md');
  const { docs, diagnostics } = loadFile(file);
  const doc = docs[0];

  it('builds the runbook data', () => {
    expect(diagnostics).toEqual([]);
    expect(doc).toMatchObject({ format: 'markdown', kind: 'Runbook' });
    expect(doc.data).toEqual(contractExample);
  });

  it('data is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(doc.data))).toEqual(doc.data);
  });

  it('points /run at the first character of the script', () => {
    const range = doc.map.range('/spec/phases/0/steps/0/run');
    expect(positionAt(file, range.start)).toEqual({ line: 16, column: 1 });
    expect(file.text.slice(range.start, range.end)).toBe('kubectl scale deployment order-service --replicas=0');
  });

  it('points attribute values at their text', () => {
    const { text } = file;
    expect(doc.map.range('/spec/phases/0/steps/0/timeout')).toEqual(within(text, 'timeout=5m', '5m'));
    expect(doc.map.keyRange('/spec/phases/0/steps/0/timeout')).toEqual(find(text, 'timeout'));
    expect(doc.map.range('/spec/phases/0/steps/0/id')).toEqual(find(text, 'stop-writes'));
    expect(doc.map.range('/spec/phases/0/budget')).toEqual(find(text, '15m'));
    expect(doc.map.range('/spec/phases/0/id')).toEqual(within(text, '{#contain', 'contain'));
    expect(doc.map.range('/spec/phases/0/title')).toEqual(find(text, 'Contain'));
  });

  it('mounts a yaml step block at the step, with file offsets', () => {
    const range = doc.map.range('/spec/phases/0/steps/1/with/dbInstanceIdentifier');
    expect(file.text.slice(range.start, range.end)).toBe('ecommerce-prod-db');
    expect(positionAt(file, range.start)).toEqual({ line: 23, column: 31 });
    expect(doc.map.range('/spec/phases/0/steps/1/id')).toEqual(find(file.text, 'forensic-snapshot'));
  });

  it('gives sections, titles and the approval message ranges', () => {
    const { text } = file;
    const step = doc.map.range('/spec/phases/0/steps/0');
    expect(text.slice(step.start, step.end)).toMatch(/^### Stop application writes[\s\S]*replicas=0\n```$/);
    const phase = doc.map.range('/spec/phases/1');
    expect(text.slice(phase.start, phase.end)).toMatch(/^## Validate[\s\S]*are present$/);
    expect(doc.map.range('/metadata/title')).toEqual(find(text, 'Database corruption or data loss'));
    expect(doc.map.range('/spec/phases/0/steps/2/with/message')).toEqual(
      find(text, 'Restore over production? Two DBAs must approve.'),
    );
    expect(doc.map.range('/spec/phases/1/steps/0/with/items/1/text')).toEqual(
      find(text, 'Recent transactions are present'),
    );
    // Front matter values keep their own ranges.
    expect(doc.map.range('/spec/objectives/rto')).toEqual(find(text, '2h'));
  });
});

describe('loadMarkdownRunbook: positions', () => {
  it('locates a {{ inside a sh block at its exact line and column', () => {
    const text = runbook('## P\n\n### S\n```sh\necho ok\necho "{{inputs.x}}"\n```\n');
    const { docs, file } = load(text);
    const range = docs[0].map.rangeOf('/spec/phases/0/steps/0/run', '{{');
    expect(positionAt(file, range.start)).toEqual({ line: 11, column: 7 });
    expect(text.slice(range.start, range.end)).toBe('{{');
  });

  it('works with CRLF line endings', () => {
    const lf = fixture('database-corruption-recovery.md').text;
    const text = lf.replace(/\n/g, '\r\n');
    const { docs, diagnostics, file } = load(text);
    expect(diagnostics).toEqual([]);
    expect(docs[0].data).toEqual(contractExample);
    const run = docs[0].map.range('/spec/phases/0/steps/0/run');
    expect(text.slice(run.start, run.end)).toBe('kubectl scale deployment order-service --replicas=0');
    expect(positionAt(file, run.start)).toEqual({ line: 16, column: 1 });
    const yaml = docs[0].map.range('/spec/phases/0/steps/1/with/dbInstanceIdentifier');
    expect(text.slice(yaml.start, yaml.end)).toBe('ecommerce-prod-db');
  });

  it('keeps CRLF out of run scripts and descriptions', () => {
    const text = runbook('## P\n\n### S\nline one\nline two\n```bash\na\nb\n```\n').replace(/\n/g, '\r\n');
    const step = (load(text).docs[0].data as any).spec.phases[0].steps[0];
    expect(step.run).toBe('a\nb');
    expect(step.description).toBe('line one\nline two');
  });

  it('accepts a BOM and a ... closing fence', () => {
    const text = '\uFEFF---\napiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: t }\n...\n## P\n### S\nDo it.\n';
    const { docs, diagnostics } = load(text);
    expect(diagnostics).toEqual([]);
    const range = docs[0].map.range('/spec/phases/0/steps/0/with/instruction');
    expect(text.slice(range.start, range.end)).toBe('Do it.');
  });

  it('gives an empty script an empty range after the fence line', () => {
    const text = runbook('## P\n### S\n```sh\n```\n');
    const { docs } = load(text);
    const range = docs[0].map.range('/spec/phases/0/steps/0/run');
    expect(range).toEqual({ start: find(text, '```sh\n').end, end: find(text, '```sh\n').end });
  });
});

describe('loadMarkdownRunbook: rules for steps', () => {
  const file = fixture('failover-drill.md');
  const { docs, diagnostics } = loadFile(file);
  const data = docs[0].data as any;
  const [prepare, verify] = data.spec.phases;

  it('reads every construct of the richer fixture without diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(data.metadata).toEqual({
      name: 'failover-drill',
      title: 'Failover drill',
      owner: '@acme/sre',
      description: 'Practise the failover **without** touching production.',
    });
    expect(prepare).toMatchObject({
      id: 'prepare',
      title: 'Prepare',
      budget: '10m',
      parallel: true,
      description: 'Everything here can start at once.',
    });
  });

  it('turns an approval directly under ## into its own step, attributes on the marker line', () => {
    expect(prepare.steps[0]).toEqual({
      id: 'go-ahead',
      timeout: '30m',
      uses: 'approval',
      with: { message: 'Start the drill in {{inputs.dr_region}}?' },
    });
    const range = docs[0].map.rangeOf('/spec/phases/0/steps/0/with/message', '{{');
    expect(file.text.slice(range.start, range.start + 20)).toBe('{{inputs.dr_region}}');
  });

  it('makes a step without action a manual step; #### and other code blocks are prose', () => {
    expect(prepare.steps[1]).toEqual({
      id: 'page-the-incident-commander',
      title: 'Page the incident commander',
      estimate: '5m',
      uses: 'manual',
      with: {
        instruction:
          'Call the on-call incident commander and open the bridge.\n\n#### Details\n\nUse the phone tree if Slack is down.\n\n```sql\nselect 1;\n```',
      },
    });
  });

  it('merges heading attributes, info-string attributes and a yaml block without an action', () => {
    expect(prepare.steps[2]).toEqual({
      id: 'check-standby',
      title: 'Check the standby',
      retry: { attempts: 3 },
      idempotent: true,
      timeout: '2m',
      onFailure: 'continue',
      needs: ['go-ahead', 'page-the-incident-commander'],
      run: 'psql "$DR_DATABASE_URL" -c \'select pg_is_in_recovery()\'',
      env: { DR_DATABASE_URL: '{{secrets.DR_DATABASE_URL}}' },
      outputs: { standby: '{{result.stdout}}' },
    });
    expect(docs[0].map.range('/spec/phases/0/steps/2/needs/1')).toEqual(
      within(file.text, ',page-the-incident-commander', 'page-the-incident-commander'),
    );
    expect(docs[0].map.range('/spec/phases/0/steps/2/env/DR_DATABASE_URL')).toEqual(
      find(file.text, '"{{secrets.DR_DATABASE_URL}}"'),
    );
  });

  it('makes an approval alone in a ### section the step itself', () => {
    expect(prepare.steps[3]).toEqual({
      id: 'approve-the-switch',
      title: 'Approve the switch',
      description: 'Both leads must agree.',
      uses: 'approval',
      with: { message: 'Switch traffic to {{inputs.dr_region}}?' },
    });
  });

  it('binds checklist items to checks and flattens nested task lists', () => {
    expect(verify.steps[0].with.items).toEqual([
      { text: 'API answers', check: 'api-health' },
      { text: 'Dashboards are green' },
      { text: 'Orders graph' },
    ]);
    expect(docs[0].map.range('/spec/phases/1/steps/0/with/items/0/check')).toEqual(find(file.text, 'api-health'));
  });
});

describe('loadMarkdownRunbook: ids and ordering', () => {
  it('prefers the yaml block id, then the info-string id, then {#id}, then the slug', () => {
    const text = runbook(
      [
        '## P',
        '### A {#heading-a}',
        '```yaml step',
        'id: yaml-a',
        'uses: notify',
        '```',
        '### B {#heading-b}',
        '```sh {id=info-b}',
        'true',
        '```',
        '### C {#heading-c}',
        '```sh',
        'true',
        '```',
        '### Hello, World! ',
        '```sh',
        'true',
        '```',
        '',
      ].join('\n'),
    );
    const steps = (load(text).docs[0].data as any).spec.phases[0].steps;
    expect(steps.map((s: any) => s.id)).toEqual(['yaml-a', 'info-b', 'heading-c', 'hello-world']);
  });

  it('keeps derived ids unique, explicit ones as written', () => {
    const text = runbook(
      '## Check\n### Verify\nA.\n### Verify\nB.\n## Check\n> [!APPROVAL]\n> Go?\n\n> [!APPROVAL]\n> Really?\n',
    );
    const phases = (load(text).docs[0].data as any).spec.phases;
    expect(phases.map((p: any) => p.id)).toEqual(['check', 'check-2']);
    expect(phases[0].steps.map((s: any) => s.id)).toEqual(['verify', 'verify-2']);
    expect(phases[1].steps.map((s: any) => s.id)).toEqual(['approve', 'approve-2']);
  });

  it('places an approval written before the command before the step', () => {
    const text = runbook('## P\n### Drop\n> [!APPROVAL]\n> Sure?\n\n```sh {irreversible}\ndropdb x\n```\n');
    const steps = (load(text).docs[0].data as any).spec.phases[0].steps;
    expect(steps.map((s: any) => s.id)).toEqual(['drop-approval', 'drop']);
    expect(steps[1].irreversible).toBe(true);
  });

  it('uses the heading as the instruction of an empty manual step', () => {
    const text = runbook('## P\n### Call the DBA\n');
    const { docs } = load(text);
    expect((docs[0].data as any).spec.phases[0].steps[0]).toEqual({
      id: 'call-the-dba',
      title: 'Call the DBA',
      uses: 'manual',
      with: { instruction: 'Call the DBA' },
    });
    expect(docs[0].map.range('/spec/phases/0/steps/0/with/instruction')).toEqual(find(text, 'Call the DBA'));
  });

  it('merges a yaml block with into a derived with', () => {
    const text = runbook(
      '## P\n### Confirm\nCheck the dashboard.\n```yaml step\nwith: { assignee: incident-commander }\nestimate: 2m\n```\n',
    );
    expect((load(text).docs[0].data as any).spec.phases[0].steps[0]).toEqual({
      id: 'confirm',
      title: 'Confirm',
      uses: 'manual',
      estimate: '2m',
      with: { instruction: 'Check the dashboard.', assignee: 'incident-commander' },
    });
  });

  it('leaves front matter phases alone when the body has none', () => {
    const text = runbook('# Title\n', 'spec:\n  phases: [{ id: a, steps: [{ id: s, run: "true" }] }]\n');
    const { docs, diagnostics } = load(text);
    expect(diagnostics).toEqual([]);
    expect((docs[0].data as any).spec.phases).toEqual([{ id: 'a', steps: [{ id: 's', run: 'true' }] }]);
  });

  it('reports YAML syntax errors inside a yaml step block at their file position', () => {
    const text = runbook('## P\n### S\n```yaml step\nid: [unclosed\n```\n');
    const result = load(text);
    expect(result.diagnostics.map((d) => d.code)).toContain('yaml-syntax');
    const d = result.diagnostics.find((x) => x.code === 'yaml-syntax')!;
    expect(d.range.start).toBeGreaterThanOrEqual(find(text, 'id: [').start);
    expect(codes(result).every((c) => c.range.end <= text.length)).toBe(true);
  });
});
