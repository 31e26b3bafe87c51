import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { docsDir } from '../../compiler/emit/docs/links.js';
import { auditPage as auditPageName } from '../../compiler/emit/docs/wiki-audit-links.js';
import {
  exportedPagePattern,
  wikiExport,
  wikiTargetProblem,
  type WikiPage,
  type WikiTarget,
} from '../../compiler/emit/docs/wiki-export.js';
import { ExitCode } from '../exit-codes.js';

export interface WikiExportCliOptions {
  readonly root: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly from?: string;
}

/**
 * `runbook wiki-export DIR`: the pages of `generated/docs` with their links rewritten for the
 * GitHub wiki (compiler/emit/docs/wiki-export.ts), written into DIR (a clone of the `.wiki` git
 * repository). Pages of the generated kinds that are no longer produced are deleted from DIR;
 * any other page (hand-written, or `Audit.md`) is left alone. An `Audit.md` already in DIR (the
 * workflow writes it first) gets links from Home and the sidebar. A link that leads nowhere fails the
 * command, naming the page and the link, and nothing is written.
 */
export function wikiExportCommand(dir: string, o: WikiExportCliOptions): number {
  const target: WikiTarget = {
    repository: o.repository ?? process.env.GITHUB_REPOSITORY ?? '',
    branch: o.branch ?? process.env.GITHUB_REF_NAME ?? 'main',
  };
  const problem = wikiTargetProblem(target);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return ExitCode.Usage;
  }
  const from = resolve(o.root, o.from ?? docsDir);
  const pages = readPages(from);
  if (!pages) {
    process.stderr.write(`no pages in ${from}: run \`runbook compile\` first\n`);
    return ExitCode.Usage;
  }
  const out = resolve(dir);
  // The workflow writes the Audit page into the clone before this runs (only with the audit database).
  const auditPage = existsSync(join(out, `${auditPageName}.md`));
  const result = wikiExport(pages, target, { auditPage });
  if (result.problems.length) {
    process.stderr.write(`${result.problems.join('\n')}\nnothing written\n`);
    return ExitCode.Problems;
  }
  mkdirSync(out, { recursive: true });
  const produced = new Set(result.pages.map((p) => `${p.name}.md`));
  const stale = readdirSync(out).filter((f) => exportedPagePattern.test(f) && !produced.has(f));
  for (const f of stale) rmSync(join(out, f));
  for (const p of result.pages) writeFileSync(join(out, `${p.name}.md`), p.content);
  process.stdout.write(
    `${result.pages.length} wiki pages written to ${out} (links for ${target.repository}, branch ${target.branch})` +
      `${auditPage ? `; ${auditPageName}.md linked from Home and _Sidebar` : ''}` +
      `${stale.length ? `; removed ${stale.join(', ')}` : ''}\n`,
  );
  return ExitCode.Ok;
}

/** The `.md` pages of the docs folder, by name; undefined when there is none. */
function readPages(from: string): WikiPage[] | undefined {
  let files: string[];
  try {
    files = readdirSync(from).filter((f) => f.endsWith('.md'));
  } catch {
    return undefined;
  }
  if (!files.length) return undefined;
  return files.sort().map((f) => ({ name: f.slice(0, -'.md'.length), content: readFileSync(join(from, f), 'utf8') }));
}
