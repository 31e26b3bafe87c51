import type { IrNode } from '../../ir/types.js';

/** An `if:` of the form `{{eq subject value}}` / `{{ne subject value}}`: the only forms we reason about. */
export interface Condition {
  readonly op: 'eq' | 'ne';
  /** A reference such as `inputs.recovery_type` or `steps.verify.status`. */
  readonly subject: string;
  /** The literal compared with, as written (quotes removed). */
  readonly value: string;
}

export interface AlternativeBranch {
  readonly condition: Condition;
  /** The branch's steps, in order (each needs the previous one). */
  readonly steps: readonly string[];
}

/**
 * Steps written one after another whose `if:` conditions exclude each other: exactly one branch
 * runs (the others are skipped), so they are drawn as a decision and timed as the longest branch.
 */
export interface AlternativeGroup {
  readonly phase: string;
  readonly subject: string;
  /** What the first step of the run needed: every branch starts from it. */
  readonly entry: readonly string[];
  readonly branches: readonly AlternativeBranch[];
}

export interface BranchView {
  /** Each step's needs with alternatives side by side instead of in sequence. */
  readonly needs: ReadonlyMap<string, readonly string[]>;
  readonly groups: readonly AlternativeGroup[];
}

const conditionPattern = /^\{\{~?\s*(eq|ne)\s+("[^"]*"|'[^']*'|\S+)\s+("[^"]*"|'[^']*'|\S+)\s*~?\}\}$/;
const literalPattern = /^(?:"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false|null)$/;

/** The condition of an `if:` when it compares one reference with one literal; undefined otherwise. */
export function parseCondition(text: string | undefined): Condition | undefined {
  const m = text?.trim().match(conditionPattern);
  if (!m) return undefined;
  const [a, b] = [m[2], m[3]];
  const aLiteral = literalPattern.test(a);
  if (aLiteral === literalPattern.test(b)) return undefined;
  const [subject, literal] = aLiteral ? [b, a] : [a, b];
  return { op: m[1] as 'eq' | 'ne', subject, value: literal.replace(/^["']|["']$/g, '') };
}

/** True when both conditions cannot hold at once: `eq x a` / `eq x b` (a ≠ b), or `eq x a` / `ne x a`. */
export function exclusive(a: Condition, b: Condition): boolean {
  if (a.subject !== b.subject) return false;
  if (a.op === 'eq' && b.op === 'eq') return a.value !== b.value;
  return a.op !== b.op && a.value === b.value;
}

const sameCondition = (a: Condition, b: Condition): boolean =>
  a.op === b.op && a.subject === b.subject && a.value === b.value;

/**
 * Finds the alternative groups of a graph and the needs that put them side by side. A group is a
 * chain of steps in one phase (each needing only the previous, which nothing else needs) whose
 * conditions share a subject; consecutive steps with the same condition form a branch, and every
 * two branches must exclude each other. The IR keeps the sequence (a skipped step's dependents
 * still run); this view is for timing and drawing only.
 */
export function branchView(nodes: readonly IrNode[]): BranchView {
  const dependents = new Map<string, string[]>();
  for (const n of nodes) for (const d of n.needs) dependents.set(d, [...(dependents.get(d) ?? []), n.id]);
  const groups: AlternativeGroup[] = [];
  for (let i = 0; i < nodes.length; ) {
    const run = chainAt(nodes, i, dependents);
    const branches = run.length > 1 ? splitBranches(run) : undefined;
    if (branches) {
      groups.push({ phase: run[0].phase, subject: branches[0].condition.subject, entry: run[0].needs, branches });
      i += branches.reduce((sum, b) => sum + b.steps.length, 0);
    } else i += 1;
  }
  return { needs: rewireNeeds(nodes, groups), groups };
}

/** The longest chain from `nodes[start]` of conditional steps on one subject, each needing only the previous. */
function chainAt(nodes: readonly IrNode[], start: number, dependents: Map<string, string[]>): IrNode[] {
  const first = parseCondition(nodes[start].if);
  if (!first) return [];
  const run = [nodes[start]];
  for (let j = start + 1; j < nodes.length; j++) {
    const prev = run[run.length - 1];
    const next = nodes[j];
    const c = parseCondition(next.if);
    const only = dependents.get(prev.id) ?? [];
    if (!c || c.subject !== first.subject || next.phase !== prev.phase) break;
    // A subject set by a step of the chain changes between the checks: no longer exclusive.
    if (run.some((n) => first.subject.startsWith(`steps.${n.id}.`)) || first.subject.startsWith(`steps.${next.id}.`))
      break;
    if (next.needs.length !== 1 || next.needs[0] !== prev.id || only.length !== 1) break;
    run.push(next);
  }
  return run;
}

/** Consecutive same-condition steps as branches; the longest prefix whose branches exclude each other. */
function splitBranches(run: readonly IrNode[]): AlternativeBranch[] | undefined {
  const branches: { condition: Condition; steps: string[] }[] = [];
  for (const node of run) {
    const c = parseCondition(node.if)!;
    const last = branches[branches.length - 1];
    if (last && sameCondition(last.condition, c)) last.steps.push(node.id);
    else if (branches.every((b) => exclusive(b.condition, c))) branches.push({ condition: c, steps: [node.id] });
    else break;
  }
  return branches.length > 1 ? branches : undefined;
}

function rewireNeeds(nodes: readonly IrNode[], groups: readonly AlternativeGroup[]): Map<string, string[]> {
  const needs = new Map(nodes.map((n) => [n.id, [...n.needs]]));
  for (const g of groups) {
    const ends = g.branches.map((b) => b.steps[b.steps.length - 1]);
    const last = ends[ends.length - 1];
    for (const b of g.branches) needs.set(b.steps[0], [...g.entry]);
    for (const [id, list] of needs) {
      if (list.includes(last) && !ends.includes(id))
        needs.set(id, [...new Set(list.flatMap((d) => (d === last ? ends : [d])))]);
    }
  }
  return needs;
}
