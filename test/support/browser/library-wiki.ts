import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noPostgres, skipReason } from '../../executor/pg/context.js';
import { runCliAsync } from '../cli.js';
import { repo } from '../library-root.js';

/** The library's wiki as published: every generated page, plus a drill report page if a drill ran. */
export interface LibraryWiki {
  readonly pages: Map<string, string>;
  /** `Drill-<run-id>`, the report of `runbook demo`, or why there is none. */
  readonly drillPage: string | undefined;
  readonly noDrill: string | undefined;
  cleanup(): void;
}

/**
 * The library (runbooks/ and its generated/) in a scratch root. No drill report is committed,
 * so one is made as users make one: `runbook demo` drills the PostgreSQL failover runbook
 * against a throwaway local primary and standby (loopback only), its record and report are put
 * under drills/ as a drill PR would, and `runbook compile` turns the report into its
 * `Drill-<run-id>` wiki page (and adds it to Home's drill history).
 */
export async function libraryWiki(): Promise<LibraryWiki> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-browser-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    for (const dir of ['runbooks', 'generated']) cpSync(join(repo, dir), join(root, dir), { recursive: true });
    let runId: string | undefined;
    if (!noPostgres) {
      const demo = await runCliAsync(['--root', root, 'demo'], {}, 120_000);
      runId = /^run id: (\S+)$/m.exec(demo.stdout)?.[1];
      if (demo.status !== 0 || !runId)
        throw new Error(`runbook demo failed (${demo.status}):\n${demo.stdout}\n${demo.stderr}`);
      mkdirSync(join(root, 'drills'));
      cpSync(join(root, '.runbook', 'drills'), join(root, 'drills'), { recursive: true });
    }
    const compile = await runCliAsync(['--root', root, 'compile'], {}, 120_000);
    if (compile.status !== 0) throw new Error(`runbook compile failed (${compile.status}):\n${compile.stderr}`);
    const docs = join(root, 'generated', 'docs');
    const pages = new Map(
      readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .map((f) => [f.slice(0, -3), readFileSync(join(docs, f), 'utf8')]),
    );
    const drillPage = runId && `Drill-${runId}`;
    if (drillPage && !pages.has(drillPage)) throw new Error(`compile made no ${drillPage} page`);
    return { pages, drillPage, noDrill: noPostgres ? `no drill report: ${skipReason}` : undefined, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
