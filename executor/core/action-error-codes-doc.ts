import type { Root, RootContent, TableRow } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { actionErrorCodes, type ActionErrorCode } from './action-error-codes.js';

const text = (value: string) => ({ type: 'text' as const, value });
const cell = (...children: RootContent[]) => ({ type: 'tableCell' as const, children }) as TableRow['children'][number];

const INTRO =
  'Every ActionError, and every `step:retry` and `step:end` audit event of a failed step, has one of these codes. ' +
  "`retryable` says whether another attempt (the step's `retry:`) can succeed: `depends` codes decide per error. " +
  '`cause` says who has to act: `user` (the runbook, its inputs, an answer), `environment` (IAM, network, the provider) or `either`. ' +
  "The provider's own code (an AWS error name, a SQLSTATE, an HTTP or exit status) is never the code: an ActionError carries it in `providerCode`.";

function row(code: ActionErrorCode): TableRow {
  const doc = actionErrorCodes[code];
  return {
    type: 'tableRow',
    children: [
      cell({ type: 'inlineCode', value: code }),
      cell(text(doc.retryable)),
      cell(text(doc.cause)),
      cell(text(doc.docs) as RootContent),
    ] as TableRow['children'],
  };
}

/** `docs/action-error-codes.md`: every action error code with its retryability, cause and meaning. */
export function renderActionErrorCodesDoc(): string {
  const header: TableRow = {
    type: 'tableRow',
    children: ['code', 'retryable', 'cause', 'meaning'].map((h) => cell(text(h))) as TableRow['children'],
  };
  const tree: Root = {
    type: 'root',
    children: [
      {
        type: 'html',
        value: '<!-- generated from executor/core/action-error-codes.ts by `npm run docs`; do not edit -->',
      },
      { type: 'heading', depth: 1, children: [text('Action error codes')] },
      { type: 'paragraph', children: [text(INTRO)] },
      {
        type: 'table',
        align: ['left', 'left', 'left', 'left'],
        children: [header, ...(Object.keys(actionErrorCodes) as ActionErrorCode[]).map(row)],
      },
    ],
  };
  return unified().use(remarkGfm).use(remarkStringify, { bullet: '-', fences: true }).stringify(tree);
}
