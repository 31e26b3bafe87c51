/**
 * The step graph (IR): what the compiler writes to `generated/graphs/<name>.json` and the
 * executor runs. `schemas/ir.schema.json` describes the same shape. Durations are milliseconds;
 * parameters are still templates (rendered at plan time).
 */

export type FailurePolicy = 'abort' | 'continue' | 'rollback';

export interface IrSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface IrInput {
  readonly type: 'string' | 'number' | 'boolean' | 'choice';
  readonly description?: string;
  readonly required: boolean;
  readonly default?: string | number | boolean;
  readonly options?: (string | number)[];
}

export interface IrApproval {
  readonly approvers: string[];
  readonly required: number;
  readonly selfApproval: boolean;
  /**
   * Unsigned local approvals (terminal, approvals file without a signature) count, recorded as
   * unverified. Absent (not false) when not allowed, so graphs that do not opt in keep their hash.
   */
  readonly allowUnsigned?: true;
  readonly timeoutMs?: number;
  /**
   * How long a gate answered on GitHub waits in the job before the run parks (with an audit
   * database). Absent when the author left the default (10 minutes), so graphs keep their hash.
   */
  readonly parkAfterMs?: number;
  readonly message?: string;
}

export interface IrRetry {
  readonly attempts: number;
  readonly delayMs: number;
  readonly backoff: 'fixed' | 'exponential';
  readonly maxDelayMs?: number;
}

/** An action invocation: a step's body or its rollback. */
export interface IrBody {
  readonly uses: string;
  readonly with: Record<string, unknown>;
  readonly env: Record<string, string>;
  readonly timeoutMs?: number;
  readonly retry?: IrRetry;
}

export interface IrNode extends IrBody {
  readonly id: string;
  readonly phase: string;
  readonly title: string;
  readonly description?: string;
  /** Direct dependencies after applying phase order, sequencing and `needs`, in graph order. */
  readonly needs: string[];
  readonly if?: string;
  readonly onFailure?: FailurePolicy;
  readonly rollback?: IrBody;
  /** From the step, else the action's default. */
  readonly idempotent: boolean;
  readonly irreversible: boolean;
  readonly recovery: boolean;
  readonly estimateMs?: number;
  readonly outputs: Record<string, string>;
  readonly assert: string[];
  readonly approval?: IrApproval;
  /** A step of `spec.finally`: runs after the phases end, whatever the outcome; never rolled back. */
  readonly finally?: true;
  readonly source: IrSource;
}

/** One `spec.updates` entry: `template` to `audience` every `everyMs` while the run is in progress. */
export interface IrUpdate {
  readonly audience: string[];
  readonly everyMs: number;
  readonly template: string;
  readonly vars?: Record<string, unknown>;
}

export interface IrPhase {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly budgetMs?: number;
  readonly parallel: boolean;
  readonly steps: string[];
  /** The last phase, made of `spec.finally` (id `finally`). */
  readonly finally?: true;
}

export type RtoStatus = 'ok' | 'worst-case-over' | 'over';

export interface RtoPhase {
  readonly id: string;
  readonly budgetMs?: number;
  /** Longest path of estimates through the phase. */
  readonly expectedMs: number;
  /** Longest path when every step uses its whole timeout on every attempt, plus retry delays. */
  readonly worstCaseMs: number;
  readonly criticalPath: string[];
  readonly status: RtoStatus;
}

export interface RtoAnalysis {
  readonly phases: RtoPhase[];
  readonly rtoMs?: number;
  readonly expectedMs: number;
  readonly worstCaseMs: number;
  readonly criticalPath: string[];
  readonly status: RtoStatus;
  /** Steps with no estimate (counted as zero). */
  readonly unestimated: string[];
}

export interface IrPerson {
  readonly id: string;
  readonly name: string;
  readonly github?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly slack?: string;
}

export interface IrTemplate {
  readonly channel: string;
  readonly subject?: string;
  readonly body: string;
  readonly variables: Record<string, { readonly required: boolean; readonly description?: string }>;
  readonly audience?: string[];
  readonly customerFacing: boolean;
}

export interface IrChecklist {
  readonly title: string;
  readonly sections: { readonly title: string; readonly items: { readonly text: string; readonly check?: string }[] }[];
}

export interface IrAudience {
  readonly channels: string[];
  readonly external: boolean;
  readonly slackChannel?: string;
  readonly webhook?: string;
  readonly email?: string;
  /** GitHub handles of the people and team members in the audience. */
  readonly members: string[];
}

/**
 * What the graph's steps refer to by name, embedded so the executor needs nothing but the graph
 * and so the plan hash covers it: a changed template text or team membership is a changed plan.
 */
export interface IrResources {
  readonly templates: Record<string, IrTemplate>;
  readonly checklists: Record<string, IrChecklist>;
  readonly audiences: Record<string, IrAudience>;
  /** Directory roles with their people resolved (for `{{directory.roles.X.primary.name}}`). */
  readonly roles: Record<string, { readonly title?: string; readonly primary?: IrPerson; readonly backup?: IrPerson }>;
  /** Each approver entry (`@org/team` or `@user`) → the GitHub handles it stands for. */
  readonly approvers: Record<string, string[]>;
  /**
   * Normalised login of each person who may approve → their public keys from the Directory
   * (`signingKeys`), for signed local approvals. Absent when nobody has a key.
   */
  readonly signers?: Record<string, string[]>;
}

export interface IrGraph {
  readonly irVersion: 1;
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly origin: {
    readonly kind: 'Runbook' | 'BackupPlan';
    readonly file: string;
    readonly format: 'yaml' | 'markdown';
  };
  readonly owner?: string;
  readonly tier?: string;
  readonly tags: string[];
  readonly objectives: { readonly rtoMs?: number; readonly rpoMs?: number };
  readonly inputs: Record<string, IrInput>;
  readonly secrets: string[];
  readonly environment?: string;
  readonly concurrency?: string;
  readonly approvals?: IrApproval;
  readonly onFailure: FailurePolicy;
  /** Cron (UTC) for graphs lowered from a BackupPlan. */
  readonly schedule?: string;
  /** Recurring updates while the run is in progress (a Runbook's `spec.updates`). */
  readonly updates?: IrUpdate[];
  readonly phases: IrPhase[];
  /** In a topological order that respects phases and document order. */
  readonly nodes: IrNode[];
  readonly resources: IrResources;
  readonly rto: RtoAnalysis;
  /** SHA-256 of the canonical graph without source positions, origin and this field. */
  readonly planHash: string;
}
