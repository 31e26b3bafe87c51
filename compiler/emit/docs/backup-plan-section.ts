import type { RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import type { BackupPlanSpec, BackupTargetSpec } from '../../model/specs.js';
import type { GraphPageContext } from './docs-context.js';
import { none } from './format.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { scheduleInline } from './schedule-inline.js';
import { templateInWords } from './expression-words.js';
import { stepIndex } from './step-index.js';

/** The BackupPlan a lowered graph came from, looked up by name. */
export function backupPlanOf(ctx: GraphPageContext, name: string): BackupPlanSpec | undefined {
  return ctx.backupPlan(name);
}

/** One line per target: `orders-pg` (postgres, pg_dump) or `prod-db` (rds, us-east-1). */
export function targetInline(t: BackupTargetSpec): Inline {
  const detail = t.type === 'rds' ? [t.region, t.dbInstanceIdentifier].filter(Boolean) : [t.method ?? 'pg_dump'];
  return [inlineCode(t.id), ` (${[t.type, ...detail].join(', ')})`];
}

/** For a lowered BackupPlan: what the plan says before lowering (targets, retention, copies). */
export function backupPlanSection(ctx: GraphPageContext, graph: IrGraph): RootContent[] {
  if (graph.origin.kind !== 'BackupPlan') return [];
  const spec = backupPlanOf(ctx, graph.name);
  if (!spec) return [];
  const retention = spec.retention ?? {};
  const steps = stepIndex(graph);
  const out: RootContent[] = [
    heading(2, 'Backup plan'),
    paragraph(
      'Runs on the schedule ',
      scheduleInline(spec.schedule, graph.name),
      ' (UTC) as a scheduled workflow; the steps below are what it lowers to.',
    ),
    table(
      ['Target', 'Type', 'Where'],
      spec.targets.map((t) => [
        inlineCode(t.id),
        t.type,
        t.type === 'rds'
          ? `${t.region ?? none} ${t.dbInstanceIdentifier ?? ''}`.trim()
          : t.directory
            ? templateInWords(t.directory, steps)
            : none,
      ]),
    ),
    paragraph(
      strong('Retention:'),
      ` hot ${retention.hot ?? none}, cold ${retention.cold ?? none}, archive ${retention.archive ?? none}.`,
    ),
  ];
  if (spec.copyTo?.length) {
    out.push(
      paragraph(
        strong('Copies to:'),
        ' ',
        joinInline(spec.copyTo.map((c) => [inlineCode(c.region), c.kmsKeyId ? ` (KMS ${c.kmsKeyId})` : ''])),
      ),
    );
  }
  return out;
}
