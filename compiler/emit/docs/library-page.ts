import type { Root, RootContent } from 'mdast';
import { formatDuration, parseDuration } from '../../../ir/duration.js';
import type { IrGraph } from '../../../ir/types.js';
import type { CiExercise } from '../../load/ci-exercises.js';
import {
  heading,
  inlineCode,
  joinInline,
  link,
  page,
  paragraph,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import type { DocsContext } from './docs-context.js';
import { environmentOf, kindOf, outcomeOf } from './drill-docs.js';
import { none } from './format.js';
import { graphPage, homePage } from './links.js';

/**
 * `Library.md` (issue 15): every procedure by the scenario it is for, with what a reader picking
 * one needs to compare them: tier, RTO / RPO, last drill, and whether the project's CI runs it.
 * The scenario is the one tag of `metadata.tags` found in `scenarios`; a procedure without one is
 * listed under "Unsorted" (no warning: adopters' trees carry whatever tags they like).
 */

/** The scenario tags, in the page's order, each with the one line its section opens with. */
export const scenarios: readonly { readonly tag: string; readonly title: string; readonly text: string }[] = [
  {
    tag: 'region-loss',
    title: 'Region loss',
    text: 'A whole cloud region is down or unreachable: fail over to the other region.',
  },
  {
    tag: 'database-loss',
    title: 'Database loss',
    text: 'The primary database is lost or must be replaced while the rest of the platform is healthy.',
  },
  {
    tag: 'database-corruption',
    title: 'Database corruption',
    text: 'The database is up but its contents are damaged: restore it to a point before the damage.',
  },
  {
    tag: 'data-loss',
    title: 'Data loss',
    text: 'Data was deleted or overwritten (a bad deployment, a wrong statement) and must be brought back.',
  },
  {
    tag: 'cache-loss',
    title: 'Cache loss',
    text: 'A cache or in-memory store (Redis) lost its data: restore it or let it warm up safely.',
  },
  {
    tag: 'storage-loss',
    title: 'Storage loss',
    text: 'Object or block storage (buckets, volumes) is lost or damaged.',
  },
  {
    tag: 'platform-loss',
    title: 'Platform loss',
    text: 'The platform the applications run on (a Kubernetes cluster, its control plane) is lost.',
  },
  {
    tag: 'application-failure',
    title: 'Application failure',
    text: 'An application or service fails while its data and platform are healthy.',
  },
  {
    tag: 'failback',
    title: 'Failback',
    text: 'Return to the primary site once it is healthy again, after a failover.',
  },
  { tag: 'backup', title: 'Backup', text: 'Taking and copying backups on a schedule: what every restore depends on.' },
  {
    tag: 'verification',
    title: 'Verification',
    text: 'Checking that backups restore and that data is consistent, before anyone needs them.',
  },
  { tag: 'monitoring', title: 'Monitoring', text: 'Alerting on failed or stale backups and on replication lag.' },
  { tag: 'drill', title: 'Drill', text: 'Rehearsals of the procedures above, on a calendar.' },
];

export const libraryPageTitle = 'Library';
const unsorted = { tag: 'unsorted', title: 'Unsorted', text: '' };

/** The procedures of each scenario tag (a graph with two scenario tags is listed under both). */
export function byScenario(graphs: readonly IrGraph[]): Map<string, IrGraph[]> {
  const known = new Set(scenarios.map((s) => s.tag));
  const out = new Map<string, IrGraph[]>();
  for (const g of graphs) {
    const tags = [...new Set(g.tags.filter((t) => known.has(t)))];
    for (const tag of tags.length ? tags : [unsorted.tag]) out.set(tag, [...(out.get(tag) ?? []), g]);
  }
  const order = (a: IrGraph, b: IrGraph) =>
    compare(a.title, b.title) || compare(a.name, b.name) || compare(a.origin.kind, b.origin.kind);
  for (const list of out.values()) list.sort(order);
  return out;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function libraryPage(ctx: DocsContext): Root {
  const groups = byScenario(ctx.result.graphs);
  const sections = [...scenarios, unsorted].filter((s) => groups.has(s.tag));
  return page([
    heading(1, libraryPageTitle),
    paragraph(
      'Every procedure of the library by the scenario it is for: the scenario tag of its ',
      inlineCode('metadata.tags'),
      ' (one of ',
      joinInline(scenarios.map((s) => inlineCode(s.tag))),
      '). Back to ',
      ctx.links.to(homePage, 'Home'),
      '.',
    ),
    paragraph(
      'RTO / RPO: the procedure\'s objectives, else its tier\'s in the Directory (marked "tier"). Last drill: its newest drill record, as on its page. Exercised in CI: ',
      ctx.result.ciExercises
        ? [inlineCode('drills/ci-exercises.json'), ', which names the test files that do it (linked).']
        : 'not known (this repository keeps no drills/ci-exercises.json).',
    ),
    ...overview(groups),
    ...(sections.length
      ? sections.flatMap((s) => section(ctx, s, groups.get(s.tag)!))
      : [paragraph('No procedure compiled yet.')]),
  ]);
}

/** Every scenario with its count, linked to its section: the empty ones show what the library lacks. */
function overview(groups: Map<string, IrGraph[]>): RootContent[] {
  const rows = [...scenarios, ...(groups.has(unsorted.tag) ? [unsorted] : [])].map((s) => {
    const count = groups.get(s.tag)?.length ?? 0;
    // The section's id is GitHub's slug of its title, which is the tag (titles are the tags in words).
    return [
      count ? link(`#${s.tag}`, s.title) : s.title,
      s === unsorted ? none : inlineCode(s.tag),
      count ? String(count) : 'none yet',
    ];
  });
  return [table(['Scenario', 'Tag', 'Procedures'], rows)];
}

function section(ctx: DocsContext, s: (typeof scenarios)[number], graphs: IrGraph[]): RootContent[] {
  const text =
    s === unsorted
      ? ['No scenario tag in ', inlineCode('metadata.tags'), ': add one so the procedure is found under its scenario.']
      : [s.text];
  return [
    heading(2, s.title),
    paragraph(...text),
    table(
      ['Procedure', 'Kind', 'Tier', 'RTO / RPO', 'Last drill', 'Exercised in CI'],
      graphs.map((g) => [
        ctx.links.to(graphPage(g), g.title),
        g.origin.kind === 'BackupPlan' ? 'backup plan' : 'runbook',
        tierOf(ctx, g) ?? none,
        objectives(ctx, g),
        lastDrill(ctx, g),
        exercised(ctx, g),
      ]),
    ),
  ];
}

/** The graph's tier; a BackupPlan's is `spec.tier` (lowering keeps it out of the graph). */
function tierOf(ctx: DocsContext, g: IrGraph): string | undefined {
  return g.tier ?? (g.origin.kind === 'BackupPlan' ? ctx.backupPlan(g.name)?.tier : undefined);
}

/** `1h / 15m`, each from the graph's objectives or else its Directory tier (`1h (tier)`). */
function objectives(ctx: DocsContext, g: IrGraph): string {
  const name = tierOf(ctx, g);
  const tier = name ? ctx.directory?.tiers?.[name] : undefined;
  const one = (own: number | undefined, ofTier: string | undefined) => {
    if (own !== undefined) return formatDuration(own);
    const ms = ofTier === undefined ? undefined : parseDuration(ofTier);
    return ms === undefined ? none : `${formatDuration(ms)} (tier)`;
  };
  return `${one(g.objectives.rtoMs, tier?.rto)} / ${one(g.objectives.rpoMs, tier?.rpo)}`;
}

/** The newest record, as the page's "Last drilled" says it: date, outcome, live or dry run, environment. */
function lastDrill(ctx: DocsContext, g: IrGraph): Inline {
  if (g.origin.kind !== 'Runbook') return none;
  const view = ctx.drills(g.name);
  const last = view?.records[0];
  if (!last) return 'never';
  const report = view.reportPages[last.runId];
  return [
    `${last.endedAt.slice(0, 10)} ${outcomeOf(last)}, ${kindOf(last)} of ${environmentOf(last)}`,
    report ? [' (', ctx.links.to(report, 'report'), ')'] : '',
  ];
}

const modeLabels: Record<CiExercise['mode'], string> = {
  real: '✅ real end-to-end',
  emulated: '🧰 emulated (AWS emulator or stand-in commands)',
  'dry-run': '🧪 dry run',
};

/** The CI claim of `drills/ci-exercises.json` with the test files backing it; "—" without the file. */
function exercised(ctx: DocsContext, g: IrGraph): Inline {
  const all = ctx.result.ciExercises;
  if (!all) return none;
  const claim: CiExercise | undefined = all.find((e) => e.kind === g.origin.kind && e.name === g.name);
  if (!claim) return 'none';
  const label = modeLabels[claim.mode];
  const files = claim.tests.map((t) => ctx.links.file(t, t.slice(t.lastIndexOf('/') + 1)));
  return [label, ' (', joinInline(files), ')'];
}
