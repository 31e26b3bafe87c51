import type { IrGraph } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';

/** Facts about the run, also the `run.*` expression root. */
export interface RunInfo {
  readonly id: string;
  readonly runbook: string;
  readonly initiator: string;
  readonly startedAt: string;
  readonly dryRun: boolean;
  readonly drill: boolean;
  /** A drill that opted in to reach external audiences and customer-facing templates (still marked [DRILL]). */
  readonly drillNotifiesCustomers?: boolean;
  readonly url: string;
  readonly planHash: string;
}

/** Output of an action for people: already masked by the logger. */
export interface StepLogger {
  info(message: string): void;
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Approval requests, answered by the configured sources (terminal, approvals file, GitHub). */
export interface ApprovalGate {
  request(req: {
    stepId: string;
    approvers: string[];
    required: number;
    selfApproval: boolean;
    /** Unsigned local approvals count (as unverified); otherwise local approvals must be signed. */
    allowUnsigned?: boolean;
    timeoutMs?: number;
    /** How long a gate that can park (GitHub, with an audit database) waits before parking the run (default 10 minutes). */
    parkAfterMs?: number;
    message: string;
    signal: AbortSignal;
  }): Promise<{ approved: true; approvedBy: string[] } | { approved: false; reason: string }>;
}

/** A person confirming something (manual steps, checklist items): terminal prompt or answers file. */
export interface Confirmer {
  confirm(req: {
    stepId: string;
    question: string;
    assignee?: string;
    evidence: boolean;
    signal: AbortSignal;
  }): Promise<{
    confirmed: boolean;
    by: string;
    evidence?: string;
  }>;
}

/** Everything outside the process an action may reach, injectable in tests. */
export interface ActionServices {
  readonly graph: IrGraph;
  readonly approvals: ApprovalGate;
  readonly confirmer: Confirmer;
  readonly fetch: typeof fetch;
  readonly events: EventSink;
  /**
   * Renders a template string with the run's context plus `extra` (e.g. a Template's variables).
   * With `escape`, every value of the run's context goes through it first (the template's own
   * text does not, nor `extra`, which the caller prepared): notifications escape data for Slack or
   * GitHub Markdown this way.
   */
  render(template: string, extra?: Record<string, unknown>, escape?: (text: string) => string): string;
  /**
   * Renders every string inside `value` (a `formatParams` parameter) once, like step parameters
   * (a lone `{{path}}` keeps its type), with the context's values passed through `escape`.
   */
  renderValue?(value: unknown, escape?: (text: string) => string): unknown;
  /** Runs another compiled runbook as a sub-graph. */
  runSubgraph(
    name: string,
    inputs: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<{ status: string; outputs: Record<string, unknown> }>;
  /** Channel senders this run provides (e.g. `github`: comments on the run's tracking issue). */
  readonly channels?: Readonly<Record<string, import('../notify/delivery.js').ChannelSender>>;
  /** Runs another action's `run` (used by `wait` to poll a check). */
  runAction(uses: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

/**
 * Rollback data of one step (executor/run/rollback-data.ts): what its rollback needs, journaled
 * before the effect, and read back by a later attempt of the same step in the same run.
 */
export interface StepRollbackData {
  /**
   * What an earlier attempt of this step in this run saved (a retry, or a re-run after a crash
   * and resume); undefined when none did. Throws when it held secrets that cannot be restored.
   */
  readonly journaled: Record<string, unknown> | undefined;
  /** Journals `data` (replacing earlier data); resolves once it is durable. Call it before the effect. */
  save(data: Record<string, unknown>): Promise<void>;
}

export interface ActionContext {
  readonly run: RunInfo;
  readonly step: { readonly id: string; readonly title: string; readonly attempt: number };
  /** Aborts on the step's timeout and when the run is cancelled. */
  readonly signal: AbortSignal;
  /** The step's rendered `env:` (values may be secrets: never log them). */
  readonly env: Record<string, string>;
  readonly log: StepLogger;
  readonly clock: Clock;
  readonly secrets: SecretMasker;
  readonly services: ActionServices;
  readonly rollbackData: StepRollbackData;
}

/** What a step would do, for `runbook plan` and dry runs: no side effect. */
export interface ActionPlan {
  /** One line for people, e.g. "promote ecommerce-prod-db-replica in us-west-2". */
  readonly summary: string;
  /** The exact external calls, e.g. { target: 'aws:rds:us-west-2', operation: 'PromoteReadReplica', args }. */
  readonly calls: { readonly target: string; readonly operation: string; readonly args?: Record<string, unknown> }[];
}

export type PlanContext = Pick<ActionContext, 'run' | 'step' | 'env' | 'secrets'> & { readonly graph: IrGraph };

/**
 * An action of the catalogue: one file each under executor/actions/, listed in index.ts.
 * `params` arrive rendered (templates resolved, secrets in clear); `result` is what `outputs`
 * and `assert` read as `result.*`, shaped as the schema's `x-result`.
 */
export interface ActionDefinition<P = Record<string, unknown>, R = unknown> {
  readonly id: string;
  /**
   * Parameters that must reach the action unrendered: `wait`'s `until` (evaluated per poll),
   * `shell`'s `script` (values reach scripts through `env:` only, never by interpolation).
   */
  readonly rawParams?: readonly string[];
  /**
   * Parameters holding a nested action call `{ uses, with }` (`wait`'s `check`): rendered by the
   * nested action's own rules, once, and passed to `services.runAction` as they are.
   */
  readonly actionParams?: readonly string[];
  /**
   * Parameters holding message text the action renders itself, once per output format, through
   * `services.renderValue` (`notify`'s `vars`): the values they interpolate are escaped for Slack or
   * GitHub Markdown, the runbook author's own text is not.
   */
  readonly formatParams?: readonly string[];
  run(params: P, ctx: ActionContext): Promise<R>;
  plan(params: P, ctx: PlanContext): ActionPlan;
}
