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
  try {
    graph = JSON.parse(readFileSync(path, 'utf8')) as IrGraph;
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
  return graph;
}
