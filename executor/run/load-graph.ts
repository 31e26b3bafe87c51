import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphHash } from '../../ir/plan-hash.js';
import type { IrGraph } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';

/**
 * Loads `generated/graphs/<name>.json` and checks it is exactly what the compiler wrote: a graph
 * edited by hand (or by a bad merge) would run something nobody reviewed.
 */
export function loadGraph(root: string, name: string): IrGraph {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new RunRefused(`"${name}" is not a runbook name (kebab-case)`);
  const path = join(root, 'generated', 'graphs', `${name}.json`);
  let graph: IrGraph;
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
    if (last?.path === path && last.text === text) return last.graph;
    graph = JSON.parse(text) as IrGraph;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RunRefused(
      missing ? `no compiled runbook named "${name}" (${path})` : `cannot read ${path}: ${(e as Error).message}`,
      missing ? 'run `runbook compile` first, or check the name with `runbook graph`' : undefined,
      { cause: e },
    );
  }
  if (graph.irVersion !== 1)
    throw new RunRefused(`${path} has IR version ${String(graph.irVersion)}; this executor runs version 1`);
  const actual = graphHash(graph);
  if (actual !== graph.planHash) {
    throw new RunRefused(
      `${path} does not match its plan hash (edited by hand?)`,
      'run `runbook compile` to regenerate it',
    );
  }
  last = { path, text, graph };
  return graph;
}

/**
 * The last graph loaded, with the exact text it was parsed from: a resume loads the same graph
 * several times (the journal's runbook, the run command's inputs, the run), and parsing and
 * hashing a 10,000-step graph is most of a resume's time (issue 12, the bench's resume figure).
 * Same text, same (already checked) graph; graphs are never mutated after loading.
 */
let last: { readonly path: string; readonly text: string; readonly graph: IrGraph } | undefined;
