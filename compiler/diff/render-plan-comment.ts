import type { Html, Root, RootContent } from 'mdast';
import { heading, inlineCode, joinInline, paragraph, serialise, strong } from '../../common/markdown/mdast-builders.js';
import type { PlanDiff } from './plan-diff.js';
import { runRequestSection } from './render-run-requests.js';
import { runbookSection } from './render-runbook-diff.js';

/** The hidden first line by which the sticky comment is found (and then edited, never duplicated). */
export const planCommentMarker = '<!-- runbook-plan-comment -->';

/** GitHub refuses comments over 65,536 characters; stay well below. */
export const maxCommentLength = 60_000;

/** Options of `renderPlanComment`. */
export interface PlanCommentOptions {
  /** Longest comment to produce; past it the step and phase tables are left out. */
  readonly maxLength?: number;
  /** The pull request's head commit, written into each run-request marker (`commit=`). */
  readonly commit?: string;
}

/**
 * The pull-request comment for a plan diff, as Markdown built through mdast (so a runbook title or
 * a reason can never break the layout). Same diff, same bytes: the sticky comment is only edited
 * when something changed. Regressions stand out with ⚠️/❌ and bold.
 */
export function renderPlanComment(diff: PlanDiff, options: PlanCommentOptions = {}): string {
  const max = options.maxLength ?? maxCommentLength;
  const full = serialise(commentTree(diff, options, false));
  if (full.length <= max) return full;
  const compact = serialise(commentTree(diff, options, true));
  if (compact.length <= max) return compact;
  // Still too long: keep the markers and the run requests, name the runbooks only.
  return serialise(
    commentTree(
      { ...diff, runbooks: [] },
      options,
      true,
      diff.runbooks.map((r) => r.name),
    ),
  );
}

function commentTree(
  diff: PlanDiff,
  options: PlanCommentOptions,
  compact: boolean,
  omitted: readonly string[] = [],
): Root {
  const marker: Html = { type: 'html', value: planCommentMarker };
  const children: RootContent[] = [marker, heading(2, 'Runbook plan')];
  children.push(...summary(diff, omitted));
  if (diff.runRequests.length) {
    children.push(heading(3, 'Run requests'));
    for (const change of diff.runRequests) children.push(...runRequestSection(change, options.commit));
  }
  if (diff.runbooks.length) {
    children.push(heading(3, 'Changed runbooks'));
    for (const runbook of diff.runbooks) children.push(...runbookSection(runbook, compact));
  }
  if (omitted.length) {
    children.push(heading(3, 'Changed runbooks'));
    children.push(
      paragraph(
        'Too many changes to show here; changed: ',
        joinInline(omitted.map((n) => inlineCode(n))),
        '. Run ',
        inlineCode('runbook plan'),
        ' locally for details.',
      ),
    );
  }
  if (compact && !omitted.length)
    children.push(
      paragraph('Step and phase tables are left out: this pull request changes too much to show them in one comment.'),
    );
  return { type: 'root', children };
}

function summary(diff: PlanDiff, omitted: readonly string[]): RootContent[] {
  const changed = diff.runbooks.length + omitted.length;
  const requests = diff.runRequests.filter((r) => r.kind !== 'removed').length;
  if (changed === 0 && diff.runRequests.length === 0) {
    return [paragraph('This pull request changes no runbook plan and proposes no run request.')];
  }
  const parts = [
    `${changed} runbook${changed === 1 ? '' : 's'} changed`,
    `${requests} run request${requests === 1 ? '' : 's'} to approve`,
  ];
  const out: RootContent[] = [paragraph(parts.join(' · '), '.')];
  const regressed = diff.runbooks.filter((r) => r.regression).map((r) => r.name);
  if (regressed.length) {
    out.push(
      paragraph(
        '⚠️ ',
        strong('RTO regression'),
        ' in ',
        joinInline(regressed.map((n) => strong(inlineCode(n)))),
        ': the expected or worst-case recovery time grew, or a budget is now exceeded.',
      ),
    );
  }
  const noPlan = diff.runRequests.filter((r) => r.kind !== 'removed' && !r.request.planHash).map((r) => r.request.file);
  if (noPlan.length) {
    out.push(
      paragraph('❌ ', strong('Run requests without a plan'), ': ', joinInline(noPlan.map((f) => inlineCode(f))), '.'),
    );
  }
  return out;
}
