import type { IrBody, IrGraph, IrNode } from '../../ir/types.js';
import type { ActionContext, ActionServices, RunInfo, StepLogger } from '../actions/action.js';
import type { ActionRegistry } from '../actions/registry.js';
import type { Clock } from '../core/clock.js';
import { ActionError } from '../core/errors.js';
import type { StepStatus } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';
import { isTruthy, renderText, renderValue } from '../render/expressions.js';
import { isCall, renderParams } from '../render/render-params.js';
import { escapeData } from '../render/escape-data.js';
import { pendingOutputs, stepOutputs } from '../render/placeholders.js';
import type { AttemptResult, StepRunner } from '../scheduler/step-runner.js';
import type { RollbackDataStore } from './rollback-data.js';
import { isGate } from '../../common/actions-catalog/index.js';

export interface LiveRunnerOptions {
  readonly graph: IrGraph;
  readonly run: RunInfo;
  readonly inputs: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  readonly masker: SecretMasker;
  readonly actions: ActionRegistry;
  readonly clock: Clock;
  readonly services: Omit<ActionServices, 'render' | 'runAction'>;
  readonly logger: (stepId: string) => StepLogger;
  /** Actions whose catalogue entry says they change nothing (approval, checklist, reads). */
  readonly sideEffectFree: ReadonlySet<string>;
  /** The run's journaled rollback data, scoped to this graph's level (see rollback-data.ts). */
  readonly rollbackData: RollbackDataStore;
}

/**
 * A compensation's own rollback data: a rollback is not rolled back, and what the step saved must
 * stay as it is until the compensation succeeded.
 */
const noRollbackData = { journaled: undefined, save: async () => undefined };

/**
 * The StepRunner of real runs and dry runs: renders parameters over the expression context,
 * calls the action (or its `plan` in a dry run), then evaluates `outputs` and `assert`.
 */
export class LiveRunner implements StepRunner {
  readonly dryRun: boolean;
  private readonly steps: Record<string, { outputs: Record<string, unknown>; status: string; error: string }> = {};
  private readonly context: Record<string, unknown>;
  /** `run.*` in expressions: the run's info plus `status`, which changes as the run goes. */
  private readonly runState: Record<string, unknown>;

  constructor(private readonly o: LiveRunnerOptions) {
    this.dryRun = o.run.dryRun;
    this.runState = { ...o.run, status: 'running', failed: [] };
    this.context = {
      inputs: o.inputs,
      secrets: o.secrets,
      steps: this.steps,
      run: this.runState,
      drill: o.run.drill,
      runbook: { name: o.graph.name, title: o.graph.title },
      directory: { roles: o.graph.resources.roles },
    };
  }

  sideEffects(node: IrNode): boolean {
    return !this.o.sideEffectFree.has(node.uses);
  }

  shouldRun(node: IrNode): boolean {
    return node.if === undefined || isTruthy(node.if, this.context);
  }

  async gate(node: IrNode, signal: AbortSignal): Promise<void> {
    const a = node.approval!;
    const message = renderText(a.message ?? `Run step "${node.title}"?`, this.context);
    const outcome = await this.o.services.approvals.request({
      stepId: node.id,
      approvers: a.approvers,
      required: a.required,
      selfApproval: a.selfApproval,
      allowUnsigned: a.allowUnsigned === true,
      timeoutMs: a.timeoutMs,
      ...(a.parkAfterMs !== undefined ? { parkAfterMs: a.parkAfterMs } : {}),
      message,
      signal,
    });
    if (!outcome.approved) throw new ActionError(`approval refused: ${outcome.reason}`, { code: 'approval-refused' });
  }

  async attempt(node: IrNode, attempt: number, signal: AbortSignal): Promise<AttemptResult> {
    await this.resolve(node.uses, node.with);
    const params = this.params(node);
    const result = await this.invoke(node, node, params, attempt, signal);
    if (this.dryRun) return { outputs: this.placeholders(node), result };
    const scope = { ...this.context, result };
    // An action's result fields are its outputs (a script's, like GITHUB_OUTPUT, what it writes
    // to $RUNBOOK_OUTPUT); declared `outputs:` are rendered over them and win.
    const declared: Record<string, unknown> = {};
    for (const [k, t] of Object.entries(node.outputs)) declared[k] = renderValue(t, scope);
    const outputs = stepOutputs(node.uses, result, declared);
    for (const a of node.assert) {
      if (!isTruthy(a, { ...scope, outputs })) {
        // Show what the assert saw: the operator needs the value, not just the expression.
        const seen = this.o.masker.mask(JSON.stringify(result) ?? 'undefined');
        throw new ActionError(
          `assert failed: ${a} (result: ${seen.length > 300 ? seen.slice(0, 297) + '...' : seen})`,
          { code: 'assert-failed' },
        );
      }
    }
    return { outputs, result };
  }

  async compensate(node: IrNode, body: IrBody, signal: AbortSignal): Promise<void> {
    await this.resolve(body.uses, body.with);
    await this.invoke(node, body, renderParams(this.o.actions, body.uses, body.with, this.context), 1, signal, true);
    this.o.rollbackData.forget(node.id);
  }

  /**
   * Runs `notify` outside any step: a recurring update (run-updates.ts). Same services, masking,
   * drill rule and dry-run rule (its plan, nothing sent) as a notify step; `params.vars` are
   * rendered by the action over the run's context, like a step's `with.vars`.
   */
  async notifyOutside(id: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    // Only `id`, `title` and `env` of the node are read outside a step's own attempt.
    const node = { id, title: id, env: {} } as unknown as IrNode;
    return this.invoke(node, { uses: 'notify', with: params, env: {} }, params, 1, signal, true);
  }

  /** `steps.X.error` is the failure message (masked), empty when the step did not fail. */
  record(node: IrNode, status: StepStatus, outputs: Record<string, unknown>, error?: string): void {
    this.steps[node.id] = { status, outputs, error: error ? this.o.masker.mask(error) : '' };
  }

  recordRun(status: string, failed: readonly string[]): void {
    this.runState.status = status;
    this.runState.failed = [...failed];
  }

  /** `with` rendered; approval steps get the policy the compiler resolved (run-level defaults included). */
  private params(node: IrNode): Record<string, unknown> {
    const params = renderParams(this.o.actions, node.uses, node.with, this.context);
    if (!isGate(node.uses) || !node.approval) return params;
    const a = node.approval;
    return {
      ...params,
      approvers: a.approvers,
      required: a.required,
      selfApproval: a.selfApproval,
      allowUnsigned: a.allowUnsigned === true,
      ...(a.timeoutMs !== undefined ? { timeout: a.timeoutMs } : {}),
      ...(a.parkAfterMs !== undefined ? { parkAfter: a.parkAfterMs } : {}),
    };
  }

  private async invoke(
    node: IrNode,
    body: IrBody,
    params: Record<string, unknown>,
    attempt: number,
    signal: AbortSignal,
    compensating = false,
  ): Promise<unknown> {
    const action = await this.o.actions.resolve(body.uses);
    if (!action) throw new ActionError(`unknown action ${body.uses}`, { code: 'unknown-action' });
    const env = Object.fromEntries(
      Object.entries(body.env).map(([k, v]) => [k, String(renderValue(v, this.context) ?? '')]),
    );
    const base = { run: this.o.run, step: { id: node.id, title: node.title, attempt }, env, secrets: this.o.masker };
    if (this.dryRun) {
      const plan = action.plan(params, { ...base, graph: this.o.graph });
      this.o.logger(node.id).info(`[dry run] ${this.o.masker.mask(plan.summary)}`);
      return { dryRun: true, plan: this.o.masker.maskDeep(plan) };
    }
    const ctx: ActionContext = {
      ...base,
      signal,
      log: this.o.logger(node.id),
      clock: this.o.clock,
      rollbackData: compensating
        ? noRollbackData
        : this.o.rollbackData.forStep(node.id, attempt, this.o.run.id, this.o.services.events),
      services: {
        ...this.o.services,
        render: (text, extra, escape) => renderText(text, this.scope(extra, escape)),
        renderValue: (value, escape) => renderValue(value, this.scope(undefined, escape)),
        // `p` was rendered with the step's parameters (renderParams): rendering it again would
        // evaluate templates inside values, e.g. an input holding "{{secrets.TOKEN}}". The step's
        // `env:` reaches a nested shell check: it is how values reach scripts.
        runAction: async (uses, p, s) =>
          this.invoke(node, { uses, with: p, env: node.env }, p, attempt, s, compensating),
      },
    };
    return action.run(params, ctx);
  }

  /**
   * Loads a call's action, and those of the calls nested in its parameters (wait's `check`), on
   * first use: renderParams reads their rules, and a run that never calls an action never imports
   * its module nor the clients it needs.
   */
  private async resolve(uses: string, params: Readonly<Record<string, unknown>>): Promise<void> {
    const action = await this.o.actions.resolve(uses);
    for (const key of action?.actionParams ?? []) {
      const call = params[key];
      if (isCall(call)) await this.resolve(call.uses, call.with ?? {});
    }
  }

  /**
   * The expression context, its values escaped for an output format when asked, plus `extra` as
   * given (the caller prepared it for that format: a Template's variables, already rendered).
   */
  private scope(extra?: Record<string, unknown>, escape?: (text: string) => string): Record<string, unknown> {
    // Masked before escaping: an escaped secret (`&amp;` inside) would no longer match the masker.
    const base = escape ? escapeData(this.context, (text) => escape(this.o.masker.mask(text))) : this.context;
    return { ...base, ...extra };
  }

  /** In a dry run, later steps see `<dry-run:step.output>` where a real output would be. */
  private placeholders(node: IrNode): Record<string, unknown> {
    return pendingOutputs(`dry-run:${node.id}`, node.uses, Object.keys(node.outputs));
  }
}
