import { describe, expect, it } from 'vitest';
import { loadFile } from '../../compiler/load/load-file.js';
import { positionAt } from '../../compiler/source/source-file.js';
import { codes, find, fixture, load, within } from './markdown-helpers.js';

describe('loadChecklist', () => {
  const file = fixture('db-failover-checks.md');
  const { docs, diagnostics } = loadFile(file);
  const doc = docs[0];

  it('keeps the front matter as data and reads ## sections of items', () => {
    expect(diagnostics).toEqual([]);
    expect(doc).toMatchObject({ format: 'markdown', kind: 'Checklist' });
    expect(doc.data).toEqual({
      apiVersion: 'runbook/v1',
      kind: 'Checklist',
      metadata: { name: 'db-failover-checks', title: 'Database failover checks' },
    });
    expect(doc.sections!.map((s) => ({ title: s.title, items: s.items.map(({ range: _, ...rest }) => rest) }))).toEqual(
      [
        { title: 'Database failover checks', items: [{ text: 'Incident declared', checked: false }] },
        {
          title: 'Before failover',
          items: [
            { text: 'RDS accessible', checked: false, check: 'db-ping' },
            { text: 'Replica lag under five minutes', checked: true },
          ],
        },
        {
          title: 'After failover',
          items: [
            { text: 'Orders flow again', checked: false },
            { text: 'Payments too', checked: false, check: 'payments-ok' },
          ],
        },
      ],
    );
    expect(doc.body!.text.startsWith('# Database failover checks')).toBe(true);
  });

  it('gives ranges to sections, items and check bindings', () => {
    const { text } = file;
    const item = doc.sections![1].items[0];
    expect(text.slice(item.range.start, item.range.end)).toBe('- [ ] RDS accessible <!-- check: db-ping -->');
    expect(doc.map.range('/sections/1/items/0')).toEqual(item.range);
    expect(doc.map.range('/sections/1/items/0/check')).toEqual(find(text, 'db-ping'));
    expect(positionAt(file, doc.map.range('/sections/1/items/0/check').start)).toEqual({ line: 13, column: 34 });
    expect(doc.map.range('/sections/2/items/1/check')).toEqual(find(text, 'payments-ok'));
    expect(doc.map.range('/sections/1/items/1/text')).toEqual(find(text, 'Replica lag under\n  five minutes'));
    expect(doc.map.range('/sections/1/title')).toEqual(find(text, 'Before failover'));
    const section = doc.sections![1].range;
    expect(text.slice(section.start, section.end)).toMatch(/^## Before failover[\s\S]*five minutes$/);
    expect(doc.map.range('/metadata/name')).toEqual(find(text, 'db-failover-checks'));
  });

  it('names a leading section "Checklist" without a # title, and works with CRLF', () => {
    const text =
      '---\r\napiVersion: runbook/v1\r\nkind: Checklist\r\nmetadata: { name: c }\r\n---\r\n- [ ] one <!-- check: a -->\r\n- [X] two\r\n';
    const result = load(text);
    expect(result.diagnostics).toEqual([]);
    const [section] = result.docs[0].sections!;
    expect(section.title).toBe('Checklist');
    expect(section.items.map((i) => [i.text, i.checked, i.check])).toEqual([
      ['one', false, 'a'],
      ['two', true, undefined],
    ]);
    expect(result.docs[0].map.range('/sections/0/items/0/check')).toEqual(within(text, 'check: a -->', 'a'));
  });

  it('reports plain items inside a task list', () => {
    const text = '---\napiVersion: runbook/v1\nkind: Checklist\nmetadata: { name: c }\n---\n## S\n- [ ] one\n- two\n';
    expect(codes(load(text))).toEqual([{ code: 'markdown-structure', range: find(text, '- two') }]);
  });

  it('has no sections without task items', () => {
    const text = '---\napiVersion: runbook/v1\nkind: Checklist\nmetadata: { name: c }\n---\n# Only prose\n';
    expect(load(text).docs[0].sections).toEqual([]);
  });
});
