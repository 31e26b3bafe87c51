import type { IrGraph } from '../../ir/types.js';
import type { ActionServices, RunInfo, StepLogger } from '../actions/action.js';
import { localApprovalGate, localConfirmer } from '../approvals/local-gate.js';
import { sshKeygenVerifier } from '../approvals/signature-verifier.js';
import type { EventSink } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';
import { runGraph } from '../scheduler/scheduler.js';
import { LiveRunner } from './live-runner.js';
import { loadGraph } from './load-graph.js';
import { calledOnce, nestedRestored, ownRestored, type Restored } from './resume-nested.js';
import { RollbackDataStore } from './rollback-data.js';
import type { RunOptions } from './run-options.js';
import { readSecrets, type PreparedRun } from './run-prepare.js';
import { resolveInputs } from '../inputs/resolve-inputs.js';
import { prefixedSink } from './subgraph.js';

/** One graph's part of a run: the top-level runbook, or a nested one called by a `runbook` step. */
export interface RunnerScope {
  readonly graph: IrGraph;
  readonly info: RunInfo;
  readonly inputs: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  readonly events: EventSink;
  readonly restored: Restored | undefined;
  readonly rollbackData: RollbackDataStore;
}

/** Builds the LiveRunner of a scope; nested runbooks get theirs from the same factory. */
export function runnerFactory(o: RunOptions, p: PreparedRun, masker: SecretMasker): (scope: RunnerScope) => LiveRunner {
  function makeRunner(scope: RunnerScope): LiveRunner {
    // On resume, a child continues from its journal entries, once: a later call starts afresh.
    const resumed = new Set<string>();
    const restoredChild = (name: string): Restored | undefined => {
      if (!scope.restored || resumed.has(name) || !calledOnce(scope.graph, name)) return undefined;
      resumed.add(name);
      return nestedRestored(scope.restored, name);
    };
    return new LiveRunner({
      graph: scope.graph,
      run: scope.info,
      inputs: scope.inputs,
      secrets: scope.secrets,
      masker,
      actions: o.actions,
      clock: p.clock,
      sideEffectFree: o.sideEffectFree,
      rollbackData: scope.rollbackData,
      logger: (id) => maskedLogger(o.logger?.(id), masker),
      services: services(o, p, masker, scope, (name, childInputs, signal) =>
        runChild(scope, name, childInputs, signal, restoredChild(name)),
      ),
    });
  }
  // A nested runbook runs inside this run: same journal, lock and approvals, ids prefixed.
  async function runChild(
    parent: RunnerScope,
    name: string,
    childInputs: Record<string, unknown>,
    signal: AbortSignal,
    childRestored: Restored | undefined,
  ) {
    const child = p.graphs.get(name) ?? loadGraph(o.root, name);
    const events = prefixedSink(parent.events, `${name}/`);
    const runner = makeRunner({
      graph: child,
      info: { ...parent.info, runbook: name },
      inputs: resolveInputs(child, childInputs),
      secrets: readSecrets(child, o.env, o.dryRun),
      events,
      restored: childRestored,
      rollbackData: childRollbackData(parent.rollbackData, parent.graph, name),
    });
    const r = await runGraph({
      graph: child,
      runner,
      events,
      clock: p.clock,
      signal,
      concurrency: o.concurrency,
      restored: ownRestored(childRestored),
    });
    const outputs = Object.fromEntries([...r.steps].map(([id, st]) => [id, st.outputs]));
    return { status: r.status, outputs };
  }
  return makeRunner;
}

type RunSubgraph = ActionServices['runSubgraph'];

/** What actions of one scope reach: its events, fetch, the approval gate, notify channels, the confirmer. */
function services(
  o: RunOptions,
  p: PreparedRun,
  masker: SecretMasker,
  scope: RunnerScope,
  runSubgraph: RunSubgraph,
): Omit<ActionServices, 'render' | 'runAction'> {
  const { graph: g, events } = scope;
  return {
    graph: g,
    events,
    fetch: o.fetch ?? fetch,
    approvals:
      o.approvalGate?.({ events, graph: g, planHash: p.planHash, masker }) ??
      localApprovalGate({
        initiator: o.initiator,
        planHash: p.planHash,
        members: g.resources.approvers,
        claims: o.approvals,
        events,
        interactive: o.interactive,
        mode: p.mode,
        signers: g.resources.signers ?? {},
        verifier: o.signatureVerifier ?? sshKeygenVerifier(),
      }),
    ...(o.channels ? { channels: o.channels } : {}),
    confirmer: localConfirmer({ confirmBy: o.confirmBy, interactive: o.interactive }),
    runSubgraph,
  };
}

/**
 * A child's rollback data: its steps' entries under `<runbook>/`. Two calls of one child share that
 * prefix in the journal, so which call saved what cannot be told (as for restored steps, see
 * resume-nested.ts): such a child starts each call with none.
 */
function childRollbackData(parent: RollbackDataStore, graph: IrGraph, name: string): RollbackDataStore {
  return calledOnce(graph, name) ? parent.scoped(`${name}/`) : RollbackDataStore.fromJournal('', undefined, []);
}

/** Every line an action prints goes through the masker before anyone sees it. */
function maskedLogger(inner: StepLogger | undefined, masker: SecretMasker): StepLogger {
  return {
    info: (m) => inner?.info(masker.mask(m)),
    stdout: (l) => inner?.stdout(masker.mask(l)),
    stderr: (l) => inner?.stderr(masker.mask(l)),
  };
}
