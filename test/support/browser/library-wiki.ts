import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noPostgres, skipReason } from '../../executor/pg/context.js';
import { runCliAsync } from '../cli.js';
import { repo } from '../library-root.js';

/** The library's pages as GitHub shows them, plus a drill report page if a drill ran. */
export interface LibraryWiki {
  /** generated/docs, as the repository browser shows it. */
  readonly repositoryPages: Map<string, string>;
  /** What the wiki shows: `runbook wiki-export`'s pages, or generated/docs where the CLI has no such command. */
  readonly wikiPages: Map<string, string>;
  readonly wikiSource: string;
  /** `Drill-<run-id>`, the report of `runbook demo`, or why there is none. */
  readonly drillPage: string | undefined;
  readonly noDrill: string | undefined;
  /** Whether a repository path exists (the scratch root, then this checkout). */
  exists(path: string): boolean;
  cleanup(): void;
}

const readPages = (dir: string) =>
  new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => [f.slice(0, -3), readFileSync(join(dir, f), 'utf8')]),
  );

/** `runbook demo`'s run id, its drill record and report copied under drills/ as a drill PR would. */
async function demoDrill(root: string): Promise<string> {
  const demo = await runCliAsync(['--root', root, 'demo'], {}, 120_000);
  const runId = /^run id: (\S+)$/m.exec(demo.stdout)?.[1];
  if (demo.status !== 0 || !runId)
    throw new Error(`runbook demo failed (${demo.status}):\n${demo.stdout}\n${demo.stderr}`);
  mkdirSync(join(root, 'drills'));
  cpSync(join(root, '.runbook', 'drills'), join(root, 'drills'), { recursive: true });
  return runId;
}

/** The wiki's pages: `runbook wiki-export` into a scratch folder, if this CLI has it. */
async function wikiExport(root: string): Promise<Map<string, string> | undefined> {
  const out = join(root, 'wiki');
  const args = ['--root', root, 'wiki-export', out, '--repository', 'o/r', '--branch', 'main'];
  const r = await runCliAsync(args, {}, 60_000);
  if (r.status === 2 && /unknown command 'wiki-export'/.test(r.stderr)) return undefined;
  if (r.status !== 0) throw new Error(`runbook wiki-export failed (${r.status}):\n${r.stderr}`);
  return readPages(out);
}

/**
 * The library (runbooks/ and its generated/) in a scratch root. No drill report is committed,
 * so one is made as users make one: `runbook demo` drills the PostgreSQL failover runbook
 * against a throwaway local primary and standby (loopback only), its record and report go under
 * drills/, and `runbook compile` turns the report into its `Drill-<run-id>` page (and adds it to
 * Home's drill history). Then the wiki copy, as the publishing workflow makes it.
 */
export async function libraryWiki(): Promise<LibraryWiki> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-browser-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    for (const dir of ['runbooks', 'generated']) cpSync(join(repo, dir), join(root, dir), { recursive: true });
    const runId = noPostgres ? undefined : await demoDrill(root);
    const compile = await runCliAsync(['--root', root, 'compile'], {}, 120_000);
    if (compile.status !== 0) throw new Error(`runbook compile failed (${compile.status}):\n${compile.stderr}`);
    const repositoryPages = readPages(join(root, 'generated', 'docs'));
    const exported = await wikiExport(root);
    const drillPage = runId && `Drill-${runId}`;
    if (drillPage && !repositoryPages.has(drillPage)) throw new Error(`compile made no ${drillPage} page`);
    return {
      repositoryPages,
      wikiPages: exported ?? repositoryPages,
      wikiSource: exported ? 'runbook wiki-export' : 'generated/docs as committed (this CLI has no wiki-export)',
      drillPage,
      noDrill: noPostgres ? `no drill report: ${skipReason}` : undefined,
      exists: (path) => existsSync(join(root, path)) || existsSync(join(repo, path)),
      cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
