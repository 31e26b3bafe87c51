import type { Root, RootContent, TableRow } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { rules } from '../rules/index.js';
import { diagnosticCodes, type DiagnosticCode } from './codes.js';

const text = (value: string) => ({ type: 'text' as const, value });
const cell = (...children: RootContent[]) => ({ type: 'tableCell' as const, children }) as TableRow['children'][number];

/** `docs/diagnostics.md`: every code with its severity, meaning and the rule that reports it. */
export function renderCodesDoc(): string {
  const reporters = new Map<string, string[]>();
  for (const rule of rules)
    for (const code of rule.codes) reporters.set(code, [...(reporters.get(code) ?? []), rule.id]);
  const rows: TableRow[] = (Object.keys(diagnosticCodes) as DiagnosticCode[]).map((code) => {
    const doc = diagnosticCodes[code];
    const by =
      reporters
        .get(code)
        ?.map((r) => `compiler/rules/${r}.ts`)
        .join(', ') ?? 'loader / schema validation';
    return {
      type: 'tableRow',
      children: [
        cell({ type: 'inlineCode', value: code }),
        cell(text(doc.severity)),
        cell(text(doc.title)),
        cell(text(doc.docs) as RootContent),
        cell(text(by) as RootContent),
      ] as TableRow['children'],
    };
  });
  const tree: Root = {
    type: 'root',
    children: [
      { type: 'html', value: '<!-- generated from compiler/diagnostics/codes.ts by `npm run docs`; do not edit -->' },
      { type: 'heading', depth: 1, children: [text('Diagnostic codes')] },
      {
        type: 'paragraph',
        children: [
          text(
            'Every finding of `runbook validate` has one of these codes. Errors fail validation (exit 1); warnings are shown and must be fixed for the library; infos appear with --verbose. Test fixtures for each code live in test/fixtures/diagnostics/<code>/.',
          ),
        ],
      },
      {
        type: 'table',
        align: ['left', 'left', 'left', 'left', 'left'],
        children: [
          {
            type: 'tableRow',
            children: ['code', 'severity', 'title', 'meaning', 'reported by'].map((h) =>
              cell(text(h)),
            ) as TableRow['children'],
          },
          ...rows,
        ],
      },
    ],
  };
  return unified().use(remarkGfm).use(remarkStringify, { bullet: '-', fences: true }).stringify(tree);
}
