import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAuditReport } from '../../../executor/report/index.js';
import { fastDemoDrill } from './fast-scenarios.js';
import { successfulDrill } from './scenarios.js';

/**
 * The report's Gantt chart drawn by Mermaid 11 in Chromium, as GitHub draws it in the reader's
 * browser, in two time zones (page.emulateTimezone): the axis must fit the run (bars wider than
 * nothing, a handful of distinct tick labels) and read the same in Los Angeles as in UTC.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const mermaidJs = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const zones = ['UTC', 'America/Los_Angeles', 'Asia/Kathmandu'] as const;

interface Drawn {
  ticks: string[];
  /** Task id → drawn width in px (bars only, milestones are fixed-size diamonds). */
  widths: Record<string, number>;
}

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: chromium, args: ['--no-sandbox'], headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Renders one chart at GitHub's content width (about 900 px) in `zone`. */
async function draw(text: string, zone: string): Promise<Drawn> {
  const page = await browser!.newPage();
  try {
    await page.emulateTimezone(zone);
    await page.setContent('<!doctype html><html><body><div id="box" style="width:900px"></div></body></html>');
    await page.addScriptTag({ path: mermaidJs });
    return await page.evaluate(async (source) => {
      const m = (
        window as unknown as {
          mermaid: { initialize(c: object): void; render(id: string, t: string): Promise<{ svg: string }> };
        }
      ).mermaid;
      m.initialize({ startOnLoad: false });
      const box = document.getElementById('box')!;
      box.innerHTML = (await m.render('chart', source)).svg;
      const ticks = [...box.querySelectorAll('g.grid g.tick text')].map((t) => t.textContent ?? '');
      const widths: Record<string, number> = {};
      for (const rect of box.querySelectorAll('rect[id^="chart-"]')) {
        if (!rect.classList.toString().includes('milestone'))
          widths[rect.id.slice('chart-'.length)] = rect.getBoundingClientRect().width;
      }
      return { ticks, widths };
    }, text);
  } finally {
    await page.close();
  }
}

function gantt(markdown: string): string {
  return /```mermaid\n([\s\S]*?)\n```/.exec(markdown)![1];
}

describe.skipIf(!existsSync(chromium))('the Gantt chart as a browser draws it', () => {
  it('fits a 282 ms run: every step bar is visible, a few distinct ticks in milliseconds', async () => {
    const drawn = await draw(gantt(renderAuditReport(await fastDemoDrill())), 'UTC');
    expect(drawn.ticks).toEqual(['0 ms', '50 ms', '100 ms', '150 ms', '200 ms', '250 ms']);
    const steps = Object.entries(drawn.widths).filter(([id]) => id.startsWith('step_'));
    expect(steps.map(([id]) => id).sort()).toEqual(
      ['step_approve', 'step_check_standby', 'step_promote', 'step_replica_lag', 'step_verify'].sort(),
    );
    for (const [id, width] of steps) expect(width, id).toBeGreaterThanOrEqual(1);
    // promote took 201 of 282 ms: most of the axis, not a sliver of a 20-minute one.
    expect(drawn.widths.step_promote).toBeGreaterThan(400);
  }, 60_000);

  it.each([
    ['a 282 ms run', fastDemoDrill],
    ['a 10-minute drill', successfulDrill],
  ])(
    'draws the same axis in every time zone: %s',
    async (_, scenario) => {
      const text = gantt(renderAuditReport(await scenario()));
      const drawn = await Promise.all(zones.map((zone) => draw(text, zone)));
      expect(new Set(drawn[0].ticks).size).toBe(drawn[0].ticks.length);
      for (const [i, zone] of zones.entries()) expect(drawn[i], zone).toEqual(drawn[0]);
    },
    60_000,
  );
});
