import { isAbsolute, relative, resolve } from 'node:path';
import { defaultPaths } from '../compiler/project/read-inputs.js';
import { todayFromEnv } from '../compiler/project/drill-facts.js';
import { RunRefused } from '../executor/facade/errors.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { SourceFile } from '../compiler/source/source-file.js';
import { formatGithub } from './format/github.js';
import { formatJson } from './format/json.js';
import { formatTerminal, summary } from './format/terminal.js';

// What compile-for-cli.ts needs without the compiler itself: `runbook validate` with a warm cache
// prints findings without loading the parsers, so this module imports none of them.

export type OutputFormat = 'terminal' | 'github' | 'json';

export interface CommonOptions {
  root: string;
  format: OutputFormat;
  verbose?: boolean;
}

/** What to compile for a command given `paths`, and which findings it shows. */
export interface CompileScope {
  /** The tree's default paths plus the requested ones. */
  readonly paths: string[];
  readonly options: { today?: Date };
  readonly inScope: (file: string) => boolean;
}

/**
 * The whole tree is compiled (so cross-file references resolve); only the findings of the
 * requested paths are kept.
 */
export function compileScope(root: string, paths: readonly string[]): CompileScope {
  const requested = paths.length ? paths.map((p) => relative(root, resolve(root, p)).split('\\').join('/')) : [];
  // Requested paths are read explicitly too, so a missing one is reported (the reader dedupes).
  // Freshness is judged against the drill records, or against RUNBOOK_TODAY when it is given:
  // never the wall clock, so compiling the same files always gives the same output.
  let today: number | undefined;
  try {
    today = todayFromEnv(process.env);
  } catch (e) {
    throw new RunRefused(
      `RUNBOOK_TODAY: ${(e as Error).message}`,
      'use an ISO date such as 2026-11-22 or 2026-11-22T10:00:00Z',
    );
  }
  return {
    paths: [...defaultPaths, ...requested].filter((p, i, a) => a.indexOf(p) === i),
    options: today !== undefined ? { today: new Date(today) } : {},
    inScope: (file) =>
      !requested.length || requested.some((p) => file === p || file.startsWith(p.replace(/\/$/, '') + '/')),
  };
}

/** Prints diagnostics in the chosen format; returns the text (stdout). */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  result: { readonly project: { readonly files: ReadonlyMap<string, SourceFile> } },
  options: CommonOptions,
): string {
  const visible =
    options.verbose || options.format === 'json' ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
  const files = result.project.files;
  if (options.format === 'json') return formatJson(visible, files);
  if (options.format === 'github') return formatGithub(visible, files, githubPrefix(options.root));
  return formatTerminal(visible, files) + summary(visible, files.size) + '\n';
}

/** Annotations need paths relative to the repository (the workflow's working directory). */
function githubPrefix(root: string): string {
  const rel = relative(process.cwd(), root);
  return rel && !isAbsolute(rel) && !rel.startsWith('..') ? rel.split('\\').join('/') : '';
}
