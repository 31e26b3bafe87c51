import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { ganttAxis, renderAuditReport, renderGantt } from '../../../executor/report/index.js';
import { interruptedRun, rolledBackDrill, rolledBackRecord, successfulDrill } from './scenarios.js';

/**
 * GitHub renders ```mermaid blocks with mermaid.js; a chart its parser rejects shows as an error
 * box on the wiki. So every chart goes through mermaid's own parser (it needs a DOM for its
 * sanitiser, hence jsdom), and the tasks it read back are checked against the run's times.
 */
type GanttTaskRead = {
  id: string;
  task: string;
  startTime: Date;
  endTime: Date;
  milestone?: boolean;
  crit?: boolean;
  done?: boolean;
  active?: boolean;
  section: string;
};
type Mermaid = {
  parse(text: string): Promise<unknown>;
  initialize(config: object): void;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: { getTasks(): GanttTaskRead[] } }> };
};
let mermaid: Mermaid;

beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
  mermaid.initialize({ startOnLoad: false });
}, 60_000); // mermaid is a large import: seconds on a loaded machine

function gantt(markdown: string): string {
  const blocks = [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

async function tasks(text: string): Promise<GanttTaskRead[]> {
  // Mermaid keeps the space before a task's `:` in its text; the chart does not show it.
  return (await mermaid.mermaidAPI.getDiagramFromText(text)).db.getTasks().map((t) => ({ ...t, task: t.task.trim() }));
}

const s = 1000;
const m = 60_000;

describe('the report Gantt chart', () => {
  it.each([
    ['successful drill', async () => renderAuditReport(await successfulDrill())],
    ['rolled-back drill', async () => renderAuditReport(await rolledBackDrill(), { record: rolledBackRecord })],
    ['interrupted run', async () => renderAuditReport(await interruptedRun())],
  ])('%s parses with mermaid as a gantt chart', async (_, report) => {
    await expect(mermaid.parse(gantt(await report()))).resolves.toMatchObject({ diagramType: 'gantt' });
  });

  it('puts each step from its first start to its end, on an axis that counts from the run start', async () => {
    // 10 minutes: ticks every 2 minutes, values in thousandths of a minute (gantt-axis.ts).
    const text = gantt(renderAuditReport(await successfulDrill()));
    expect(text).toContain('axisFormat %s min');
    expect(text).toContain('tickInterval 2000millisecond');
    const value = ganttAxis(10 * m).toValue;
    const read = await tasks(text);
    const byId = Object.fromEntries(read.map((t) => [t.id, t]));
    expect(byId.step_promote_replica).toMatchObject({
      done: true,
      section: 'failover',
      task: 'promote-replica (3m25s, 2 attempts)',
    });
    expect(byId.step_promote_replica.startTime.getTime()).toBe(value(4 * m));
    expect(byId.step_promote_replica.endTime.getTime()).toBe(value(7 * m + 25 * s));
    // assess started at 0 with a 2m budget and overran it: a red milestone at 2m, inside the run.
    expect(byId.budget_assess).toMatchObject({ milestone: true, crit: true, section: 'assess' });
    expect(byId.budget_assess.startTime.getTime()).toBe(value(2 * m));
    // failover's budget ends after the run (3m + 10m > 10m): the marker sits at its end and says so.
    expect(byId.budget_failover).toMatchObject({ milestone: true, task: 'failover took 6m, 60 % of its budget 10m' });
    expect(byId.budget_failover.startTime.getTime()).toBe(value(9 * m));
    expect(byId.budget_failover.crit).toBeFalsy();
    expect(byId.recovered).toMatchObject({ task: 'recovered after 9m, 30 % of the RTO 30m' });
    expect(byId.recovered.startTime.getTime()).toBe(value(9 * m));
    // The RTO (30m) lies beyond the run (10m): no marker out there, the axis stays the run's.
    expect(byId.rto_objective).toBeUndefined();
    expect(Math.max(...read.map((t) => t.endTime.getTime()))).toBe(value(10 * m));
  });

  it('marks failed steps crit and shows the rollback and where it stopped', async () => {
    const read = await tasks(gantt(renderAuditReport(await rolledBackDrill(), { record: rolledBackRecord })));
    const byId = Object.fromEntries(read.map((t) => [t.id, t]));
    expect(byId.step_warm_cache).toMatchObject({ crit: true, task: 'warm-cache (1m2s, 2 attempts, timed-out)' });
    expect(byId.undo_switch_dns).toMatchObject({ done: true, section: 'rollback', task: 'undo switch-dns (15s)' });
    expect(byId.stop_promote).toMatchObject({ milestone: true, crit: true, task: 'stopped at promote (irreversible)' });
    expect(byId.not_recovered).toMatchObject({ crit: true, task: "not recovered by the run's end (RTO 5m)" });
    expect(byId.recovered).toBeUndefined();
  });

  it('escapes labels and sanitises ids: colons, hashes, semicolons and keywords cannot break it', async () => {
    const text = renderGantt({
      title: 'a: title # with; everything\nand a newline',
      spanMs: 3000,
      sections: [
        {
          name: 'phase: one #2',
          tasks: [
            { id: 'step: one', label: 'step: one #1; then %% more', startMs: 0, durationMs: 1000, tags: ['done'] },
            { id: 'step: one', label: 'gantt-check', startMs: 1000, durationMs: 1000, tags: ['crit'] },
            { id: '2025-01-01', label: 'section ends here', startMs: 2000, durationMs: 1000, tags: ['active'] },
            { id: 'title', label: '2025-01-01 restore', startMs: 3000, durationMs: 0, tags: ['milestone'] },
          ],
        },
      ],
    });
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'gantt' });
    const read = await tasks(text);
    expect(read.map((t) => [t.id, t.task])).toEqual([
      ['step_one', 'step꞉ one ＃1, then % % more'],
      ['step_one_2', 'step gantt-check'],
      ['t_2025_01_01', 'step section ends here'],
      ['title', 'step 2025-01-01 restore'],
    ]);
    expect(read.map((t) => t.endTime.getTime() - t.startTime.getTime())).toEqual([1000, 1000, 1000, 0]);
  });

  it('the parser does reject a broken chart (the check can fail)', async () => {
    // What an unescaped newline in a label would do: a task line with no label.
    await expect(mermaid.parse('gantt\n  dateFormat x\n  first line\n  :done, x, 0, 1000ms')).rejects.toThrow();
  });
});
