import { joinPointer } from '../load/source-map.js';
import type { PhaseSpec, RunbookSpec, StepSpec } from '../model/specs.js';

export interface StepRef {
  readonly step: StepSpec;
  readonly phase: PhaseSpec;
  readonly phaseIndex: number;
  /** Index within the phase. */
  readonly index: number;
  /** Index in document order across the runbook. */
  readonly order: number;
  readonly pointer: string;
}

export type NeedProblem = {
  kind: 'unknown-need' | 'self-need' | 'forward-need';
  ref: StepRef;
  needIndex: number;
  name: string;
};

/**
 * The dependency structure of a runbook, computed once and shared by the rules and the IR
 * builder so that both agree on what "ancestor" means. Phases are barriers: every step of an
 * earlier phase happens before every step of a later one.
 */
export interface Dependencies {
  readonly steps: StepRef[];
  readonly byId: Map<string, StepRef>;
  /** Direct dependencies inside the same phase (explicit `needs`, or the previous step). */
  readonly inPhase: Map<string, string[]>;
  readonly problems: NeedProblem[];
  /** Each cycle as a list of step ids, first id repeated at the end. */
  readonly cycles: string[][];
  /** True when `a` is guaranteed to have ended before `b` starts. */
  isAncestor(a: string, b: string): boolean;
  /** Steps of `phaseIndex` that no other step of that phase depends on. */
  exits(phaseIndex: number): string[];
  /** Step ids in a topological order that respects phases and document order. */
  order(): string[];
}

/** The id of the pseudo-phase `spec.finally` becomes (a phase may not use it when finally is set). */
export const finallyPhaseId = 'finally';

/**
 * `spec.finally` as a last phase: its steps order among themselves like a phase's (a sequence
 * unless they say `needs`), and every phase step is "before" them, so they may read any step.
 */
export function finallyPhase(spec: RunbookSpec): PhaseSpec | undefined {
  return Array.isArray(spec.finally) && spec.finally.length
    ? { id: finallyPhaseId, title: 'Finally', steps: spec.finally }
    : undefined;
}

export function resolveDependencies(spec: RunbookSpec, base = '/spec'): Dependencies {
  const steps: StepRef[] = [];
  const byId = new Map<string, StepRef>();
  const phases = spec.phases ?? [];
  const fin = finallyPhase(spec);
  [...phases, ...(fin ? [fin] : [])].forEach((phase, phaseIndex) => {
    (phase.steps ?? []).forEach((step, index) => {
      const ref: StepRef = {
        step,
        phase,
        phaseIndex,
        index,
        order: steps.length,
        pointer:
          phase === fin ? joinPointer(base, 'finally', index) : joinPointer(base, 'phases', phaseIndex, 'steps', index),
      };
      steps.push(ref);
      if (typeof step.id === 'string' && !byId.has(step.id)) byId.set(step.id, ref);
    });
  });
  const inPhase = new Map<string, string[]>();
  const problems: NeedProblem[] = [];
  for (const ref of steps) inPhase.set(ref.step.id, directDeps(ref, steps, byId, problems));
  const cycles = findCycles(steps, inPhase);
  const reach = new Map<string, Set<string>>();
  const ancestorsOf = (id: string): Set<string> => {
    let set = reach.get(id);
    if (set) return set;
    set = new Set();
    const stack = [...(inPhase.get(id) ?? [])];
    while (stack.length) {
      const next = stack.pop()!;
      if (set.has(next)) continue;
      set.add(next);
      stack.push(...(inPhase.get(next) ?? []));
    }
    reach.set(id, set);
    return set;
  };
  return {
    steps,
    byId,
    inPhase,
    problems,
    cycles,
    isAncestor(a, b) {
      const ra = byId.get(a);
      const rb = byId.get(b);
      if (!ra || !rb || a === b) return false;
      if (ra.phaseIndex !== rb.phaseIndex) return ra.phaseIndex < rb.phaseIndex;
      return ancestorsOf(b).has(a);
    },
    exits(phaseIndex) {
      const members = steps.filter((s) => s.phaseIndex === phaseIndex).map((s) => s.step.id);
      const needed = new Set(members.flatMap((id) => inPhase.get(id) ?? []));
      return members.filter((id) => !needed.has(id));
    },
    order: () => topologicalOrder(steps, inPhase),
  };
}

function directDeps(ref: StepRef, steps: StepRef[], byId: Map<string, StepRef>, problems: NeedProblem[]): string[] {
  const { step, phase, index } = ref;
  if (step.needs === undefined) {
    if (phase.parallel || index === 0) return [];
    return [phase.steps[index - 1].id];
  }
  const deps: string[] = [];
  (step.needs ?? []).forEach((name, needIndex) => {
    const target = byId.get(name);
    if (name === step.id) problems.push({ kind: 'self-need', ref, needIndex, name });
    else if (!target) problems.push({ kind: 'unknown-need', ref, needIndex, name });
    else if (target.phaseIndex > ref.phaseIndex) problems.push({ kind: 'forward-need', ref, needIndex, name });
    else if (target.phaseIndex === ref.phaseIndex && !deps.includes(name)) deps.push(name);
    // Needs on earlier phases are already guaranteed by the phase barrier.
  });
  return deps;
}

function findCycles(steps: StepRef[], inPhase: Map<string, string[]>): string[][] {
  const state = new Map<string, 1 | 2>();
  const cycles: string[][] = [];
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 1);
    path.push(id);
    for (const dep of inPhase.get(id) ?? []) {
      const s = state.get(dep);
      if (s === 1) {
        // The path from dep to id, then back to dep: printed in dependency order.
        const cycle = path.slice(path.indexOf(dep));
        cycles.push([...cycle, dep].reverse());
      } else if (s === undefined) visit(dep);
    }
    path.pop();
    state.set(id, 2);
  };
  for (const ref of steps) if (!state.has(ref.step.id)) visit(ref.step.id);
  return cycles;
}

function topologicalOrder(steps: StepRef[], inPhase: Map<string, string[]>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const phases = new Map<number, StepRef[]>();
  for (const ref of steps) phases.set(ref.phaseIndex, [...(phases.get(ref.phaseIndex) ?? []), ref]);
  for (const members of phases.values()) {
    let pending = members;
    while (pending.length) {
      // Take the first pending step (document order) whose in-phase deps are all done.
      const ready = pending.find((r) => (inPhase.get(r.step.id) ?? []).every((d) => done.has(d))) ?? pending[0];
      out.push(ready.step.id);
      done.add(ready.step.id);
      pending = pending.filter((r) => r !== ready);
    }
  }
  return out;
}
