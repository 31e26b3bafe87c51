import type { Html, RootContent } from 'mdast';
import { approvalPolicy, duration, scalar, shortHash, yesNo } from '../emit/docs/format.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import type { RunRequestChange } from './diff-run-requests.js';
import { changeIcon } from './render-runbook-diff.js';

/** Column names of a run request's input table. */
export const inputsHeader = ['Input', 'Value', 'From'];

/**
 * Characters a path may have to be written into the machine-readable marker: the marker is parsed
 * by splitting on spaces, and `--` or `>` could end the HTML comment early.
 */
const safePath = /^[A-Za-z0-9._/-]+$/;

/**
 * `<!-- runbook-run-request file=<path> plan=<planHash> [commit=<sha>] -->`: what the reviewers were
 * shown. Before the first step the executor finds the marker of its request in the merged pull
 * request and refuses a plan hash other than the one reviewed (and, with `commit`, a comment written
 * for another head commit). Absent when there is no plan (errors).
 */
export function runRequestMarker(file: string, planHash: string | undefined, commit?: string): Html | undefined {
  if (!planHash || !/^[0-9a-f]{64}$/.test(planHash) || !safePath.test(file) || file.includes('--')) return undefined;
  const at = commit && /^[0-9a-f]{7,40}$/.test(commit) ? ` commit=${commit}` : '';
  return { type: 'html', value: `<!-- runbook-run-request file=${file} plan=${planHash}${at} -->` };
}

/** One run request: the marker, what will run and with what, and what approving it means. */
export function runRequestSection(c: RunRequestChange, commit?: string): RootContent[] {
  const r = c.request;
  const out: RootContent[] = [heading(4, changeIcon[c.kind], ' ', inlineCode(r.file))];
  if (c.kind === 'removed') {
    out.push(paragraph('removed: the request to run ', inlineCode(r.runbook), ' is withdrawn.'));
    return out;
  }
  const marker = runRequestMarker(r.file, r.planHash, commit);
  if (marker) out.push(marker);
  const rows: Inline[][] = [
    ['Runbook', [inlineCode(r.runbook), c.plan ? ` — ${c.plan.title}` : '']],
    ['Plan hash', planHashCell(c)],
    ['Drill', yesNo(r.drill)],
    ['Dry run', yesNo(r.dryRun)],
  ];
  if (c.plan) {
    rows.push([
      'Approvals required',
      c.plan.approvals
        ? approvalPolicy(c.plan.approvals)
        : 'none declared in spec.approvals (the gates inside the run still apply)',
    ]);
    if (c.plan.environment) rows.push(['Environment', inlineCode(c.plan.environment)]);
    rows.push(['Steps', `${c.plan.steps}`]);
    rows.push([
      'Points of no return',
      c.plan.irreversible.length ? joinInline(c.plan.irreversible.map((id) => inlineCode(id))) : 'none',
    ]);
    rows.push([
      'Time',
      `expected ${duration(c.plan.expectedMs)}, worst case ${duration(c.plan.worstCaseMs)}${c.plan.rtoMs !== undefined ? ` (RTO ${duration(c.plan.rtoMs)})` : ''}`,
    ]);
  }
  out.push(table(['What', 'Value'], rows));
  out.push(paragraph(strong('Reason'), ': ', oneLine(r.reason)));
  const inputRows = inputTable(c);
  if (inputRows.length) out.push(table(inputsHeader, inputRows));
  out.push(
    paragraph(
      r.planHash
        ? 'Approving this pull request approves exactly this plan hash; merging it starts the run.'
        : [strong('No plan'), ': the request or its runbook has errors (see the checks); it cannot run as it is.'],
    ),
  );
  return out;
}

function planHashCell(c: RunRequestChange): Inline {
  const now = c.request.planHash;
  if (!now) return strong('none (errors)');
  if (c.previousPlanHash && c.previousPlanHash !== now)
    return [inlineCode(shortHash(c.previousPlanHash)), ' → ', inlineCode(now)];
  return inlineCode(now);
}

/** Resolved inputs (what the plan hash covers), marking those that came from the runbook's defaults. */
function inputTable(c: RunRequestChange): Inline[][] {
  const r = c.request;
  const names = [...new Set([...Object.keys(r.inputs), ...Object.keys(r.requested)])].sort();
  return names.map((name) => {
    const requested = Object.hasOwn(r.requested, name);
    const value = Object.hasOwn(r.inputs, name) ? r.inputs[name] : r.requested[name];
    return [inlineCode(name), inlineCode(oneLine(scalar(value))), requested ? 'request' : 'default'];
  });
}

/** Table cells and this paragraph hold one line; a line break shows as ⏎. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}
