import type { IrGraph } from '../../ir/types.js';
import type { ApprovalGate, StepLogger } from '../actions/action.js';
import type { ActionRegistry } from '../actions/registry.js';
import type { ApprovalClaim } from '../approvals/policy.js';
import type { SignatureVerifier } from '../approvals/signature-verifier.js';
import type { OwnerRolePolicy } from '../audit/db-role-check.js';
import type { AuditRecord, AuditSink } from '../audit/record.js';
import type { Clock } from '../core/clock.js';
import type { RunRefused } from '../core/errors.js';
import type { EventSink, RunStatus } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';
import type { Fault } from '../drill/faults.js';
import type { ChannelSender } from '../notify/delivery.js';
import type { SchedulerResult } from '../scheduler/scheduler.js';
import type { ResumeState } from './resume-state.js';

export interface RunOptions {
  readonly root: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly dryRun: boolean;
  readonly drill?: boolean;
  /** A drill that may reach external audiences and customer-facing templates. */
  readonly drillNotifiesCustomers?: boolean;
  readonly initiator: string;
  readonly approvals: readonly ApprovalClaim[];
  /**
   * Why the approvals file could not be used (parse error, size, bad entry): the run is refused
   * after run:start (or run:resume), so the refusal is in the audit log like any other.
   */
  readonly approvalsError?: RunRefused;
  /** Checks signed local approvals (default: ssh-keygen -Y verify). */
  readonly signatureVerifier?: SignatureVerifier;
  readonly confirmBy?: string;
  readonly interactive: boolean;
  readonly auditDb?: string;
  /** How long an audit database outage may hold the run before it stops (default: db-journal-sink.ts). */
  readonly auditDbRetryMs?: number;
  /** A role that can alter runbook_audit: warn (default), refuse (CI) or allow (overridden, still warned). */
  readonly ownerRole?: OwnerRolePolicy;
  /** Warnings and notices about the run's machinery (audit database outage, role); never secrets. */
  readonly onNotice?: (message: string) => void;
  readonly concurrency?: number;
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly commit?: string;
  /** The catalogue (executor/actions/index.ts), each action loaded on first use. */
  readonly actions: ActionRegistry;
  readonly sideEffectFree: ReadonlySet<string>;
  /** Sees every audit record as it is made (progress display); not a durable sink. */
  readonly onRecord?: (record: AuditRecord) => void;
  readonly logger?: (stepId: string) => StepLogger;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly resume?: ResumeState;
  /** Use this run id (e.g. to open a tracking issue before the run starts). */
  readonly runId?: string;
  /** The run's tracking issue or pull request, recorded in run:start (its chain heads are published there). */
  readonly trackingIssue?: { readonly number: number; readonly url: string };
  /** More audit sinks (the GitHub tracking issue). */
  readonly extraSinks?: readonly AuditSink[];
  /** Replaces the local approval gate (GitHub comments on the tracking issue). */
  readonly approvalGate?: (o: {
    events: EventSink;
    graph: IrGraph;
    planHash: string;
    masker: SecretMasker;
  }) => ApprovalGate;
  /** Runs after run:start, before any step; throwing RunRefused stops the run (run-request checks). */
  readonly beforeSteps?: (o: { events: EventSink; graph: IrGraph; planHash: string }) => Promise<void>;
  /**
   * The environment the run acts on, when the caller knows better than the runbook's
   * `spec.environment`: `--environment` (`cli`), or the loopback demo (`demo`). Recorded in run:start.
   */
  readonly environment?: { readonly name: string; readonly source: 'cli' | 'demo' };
  /** Drills: faults to inject, step id → fault (see executor/drill/faults.ts). */
  readonly faults?: ReadonlyMap<string, Fault>;
  /** Channel senders for notify (the tracking issue's `github` channel). */
  readonly channels?: Readonly<Record<string, ChannelSender>>;
}

export interface RunOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly planHash: string;
  readonly auditPath: string;
  readonly result: SchedulerResult;
  readonly graph: IrGraph;
}
