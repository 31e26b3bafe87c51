import { describe, expect, it } from 'vitest';
import { codes, find, load, runbook, within } from './markdown-helpers.js';

const structure = (range: { start: number; end: number }) => ({ code: 'markdown-structure', range });

describe('Markdown runbook structure errors', () => {
  it('reports a ### step outside a phase and drops its content', () => {
    const text = runbook('# T\n### Lost\n```sh\nrm -rf /\n```\n## P\n### S\nok\n');
    const result = load(text);
    expect(codes(result)).toEqual([structure(find(text, '### Lost'))]);
    expect((result.docs[0].data as any).spec.phases[0].steps).toHaveLength(1);
  });

  it('reports an action before the first ## but keeps prose as metadata.description', () => {
    const text = runbook('# T\nIntro.\n```sh {id=x}\necho\n```\n- [ ] task\n## P\n### S\nok\n');
    const result = load(text);
    expect(codes(result)).toEqual([structure(find(text, '```sh {id=x}')), structure(find(text, '- [ ] task'))]);
    expect((result.docs[0].data as any).metadata).toEqual({ name: 't', title: 'T', description: 'Intro.' });
  });

  it('reports intro text when the front matter has a description too', () => {
    const text = runbook('# T\nIntro.\n## P\n### S\nok\n').replace('{ name: t }', '{ name: t, description: D }');
    expect(codes(load(text))).toEqual([structure(find(text, 'Intro.'))]);
  });

  it('reports an action directly under ## (approvals excepted)', () => {
    const text = runbook('## P\n```bash\necho\n```\n### S\nok\n');
    expect(codes(load(text))).toEqual([structure(find(text, '```bash'))]);
  });

  it('reports two command blocks in one step at the second', () => {
    const text = runbook('## P\n### S\n```sh\none\n```\n```sh {id=two}\ntwo\n```\n');
    const result = load(text);
    expect(codes(result)).toEqual([structure(find(text, '```sh {id=two}'))]);
    expect((result.docs[0].data as any).spec.phases[0].steps[0].run).toBe('one');
  });

  it('reports a command next to a task list, and next to a yaml block with uses', () => {
    const a = runbook('## P\n### S\n```sh\none\n```\n- [ ] two\n');
    expect(codes(load(a))).toEqual([structure(find(a, '- [ ] two'))]);
    const b = runbook('## P\n### S\n```sh\none\n```\n```yaml step\nuses: notify\n```\n');
    expect(codes(load(b))).toEqual([structure(find(b, '```sh'))]);
  });

  it('reports a second yaml step block and a second approval gate', () => {
    const a = runbook('## P\n### S\n```yaml step\nuses: notify\n```\n```yaml step\nestimate: 1m\n```\n');
    expect(codes(load(a))).toEqual([structure(find(a, '```yaml step', 1))]);
    const b = runbook('## P\n### S\n> [!APPROVAL]\n> One?\n\n> [!APPROVAL]\n> Two?\n');
    expect(codes(load(b))).toEqual([structure(find(b, '> [!APPROVAL]', 1))]);
  });

  it('reports malformed and unknown attributes at their exact range', () => {
    const text = runbook('## P {#p budget=}\n### S {#s colour=red retry=many}\n```sh {timeout="5m}\necho\n```\n');
    expect(codes(load(text))).toEqual([
      structure(find(text, 'budget=')),
      structure(find(text, 'colour')),
      structure(find(text, 'retry=many')),
      structure(find(text, 'timeout="5m')),
    ]);
  });

  it('reports text after the language that is not an attribute block', () => {
    const text = runbook('## P\n### S\n```sh title=x\necho\n```\n');
    expect(codes(load(text))).toEqual([structure(find(text, 'title=x'))]);
  });

  it('reports an unclosed attribute block and a heading without a usable id', () => {
    const text = runbook('## P {#p\n### 確認\nok\n### ¿Qué?\nok\n');
    const result = load(text);
    expect(codes(result)).toEqual([structure(find(text, 'P {#p')), structure(find(text, '確認'))]);
    expect((result.docs[0].data as any).spec.phases[0].steps.map((s: any) => s.id)).toEqual(['step-1', 'que']);
  });

  it('reports a second # title after the phases', () => {
    const text = runbook('# T\n## P\n### S\nok\n# Again\n');
    expect(codes(load(text))).toEqual([structure(find(text, '# Again'))]);
  });

  it('reports front matter phases when the body has phases too, on the front matter key', () => {
    const text = runbook('## P\n### S\nok\n', 'spec:\n  phases: [{ id: a, steps: [] }]\n');
    const result = load(text);
    expect(codes(result)).toEqual([structure(find(text, 'phases'))]);
    expect((result.docs[0].data as any).spec.phases[0].id).toBe('p');
  });

  it('reports a yaml step block that is not a mapping, and YAML errors with yaml-syntax', () => {
    const a = runbook('## P\n### S\n```yaml step\n- a\n```\n');
    expect(codes(load(a))).toEqual([structure(find(a, '- a'))]);
    const b = runbook('## P\n### S\n```yaml step\nid: [\n```\n');
    expect(load(b).diagnostics.map((d) => d.code)).toEqual(['yaml-syntax']);
  });

  it('reports a ```yaml step with attributes', () => {
    const text = runbook('## P\n### S\n```yaml step {id=x}\nuses: notify\n```\n');
    expect(codes(load(text))).toEqual([structure(find(text, 'step {id=x}'))]);
  });

  it('reports a plain item in a task list and an empty check binding', () => {
    const text = runbook('## P\n### S\n- [ ] one\n- two\n- [ ] three <!-- check: -->\n');
    expect(codes(load(text))).toEqual([structure(find(text, '- two')), structure(find(text, '<!-- check: -->'))]);
  });

  it('keeps a bad {{ out of the attribute check: heading may end with an expression', () => {
    const text = runbook('## Fail over to {{inputs.region}}\n### S\nok\n');
    const result = load(text);
    expect(result.diagnostics).toEqual([]);
    expect((result.docs[0].data as any).spec.phases[0]).toMatchObject({
      id: 'fail-over-to-inputs-region',
      title: 'Fail over to {{inputs.region}}',
    });
    expect(result.docs[0].map.range('/spec/phases/0/title')).toEqual(find(text, 'Fail over to {{inputs.region}}'));
  });
});

describe('Markdown runbook: empty headings', () => {
  it('points at the whole heading when it has no text', () => {
    const text = runbook('##\n### S\nok\n');
    const result = load(text);
    expect(codes(result)).toEqual([{ code: 'markdown-structure', range: within(text, '##\n', '##') }]);
    expect((result.docs[0].data as any).spec.phases[0].id).toBe('phase-1');
  });
});
