import type { RunEvents, RunStatus, StepStatus } from '../core/events.js';
import type { AuditRecord } from './record.js';

/**
 * What `runbook audit show` tells: who started the run and when, with which inputs, what each
 * step did, who approved what through which channel, whether it rolled back, how it ended,
 * and the measured time against the phase budgets and the RTO. Built from records alone, so
 * the report can be rebuilt from any verified copy of the log.
 */

export interface StepSummary {
  readonly stepId: string;
  readonly uses?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Milliseconds from the start of the run. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly durationMs?: number;
  readonly attempts: number;
  readonly status: StepStatus | 'running';
  readonly outputs?: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: string;
  readonly reason?: string;
  readonly retries: { attempt: number; error: string; delayMs: number; at: string }[];
}

export interface ApprovalSummary {
  readonly stepId: string;
  readonly decision: 'granted' | 'refused';
  readonly approver?: string;
  readonly source: string;
  readonly at: string;
  readonly planHash?: string;
  readonly reference?: string;
  readonly reason?: string;
  readonly count?: number;
  readonly required?: number;
  /** Local approvals: signed and verified (true) or unsigned, accepted as unverified (false). */
  readonly verified?: boolean;
  /** Fingerprint of the key of a verified signature. */
  readonly key?: string;
  /** GitHub approvals: what decided the approver's membership (ApprovalRecord.membership). */
  readonly membership?: 'policy' | 'github' | 'directory';
}

/**
 * How a granted approval was authenticated, in words for the summary and the reports: local
 * approvals say whether a signature was verified; GitHub approvals (authenticated by GitHub) say
 * which source decided a team membership (the Directory, or GitHub live); refusals say nothing.
 */
export function approvalAuthenticity(a: ApprovalSummary): string | undefined {
  if (a.decision === 'granted' && a.membership === 'directory') return 'team membership from the Directory';
  if (a.decision === 'granted' && a.membership === 'github') return 'live team membership';
  if (a.decision !== 'granted' || a.verified === undefined) return undefined;
  return a.verified ? `verified signature${a.key ? ` ${a.key}` : ''}` : 'unverified (unsigned)';
}

export interface PhaseSummary {
  readonly id: string;
  readonly budgetMs?: number;
  readonly durationMs?: number;
  /** `unfinished`: the phase never ended in this log; `no-budget`: nothing to compare to. */
  readonly status: 'ok' | 'over' | 'no-budget' | 'unfinished';
}

export interface AuditSummary {
  readonly runId: string;
  readonly runbook: string;
  readonly title?: string;
  readonly planHash: string;
  readonly commit: string | null;
  readonly actor: string;
  readonly initiator?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly dryRun: boolean;
  readonly drill: boolean;
  /** As recorded: secrets were masked before the record was written. */
  readonly inputs: Record<string, unknown>;
  readonly steps: StepSummary[];
  readonly approvals: ApprovalSummary[];
  readonly checklist: { stepId: string; text: string; confirmedBy: string; at: string }[];
  readonly decisions: (RunEvents['operator:decision'] & { at: string })[];
  readonly resumes: { by: string; at: string }[];
  readonly rollback?: {
    reason: string;
    at: string;
    steps: RunEvents['rollback:step'][];
    status?: RunEvents['rollback:end']['status'];
    /** Reversible steps the rollback left in place, and why (`rollback-incomplete`). */
    notUndone?: string[];
    incompleteReason?: string;
  };
  readonly phases: PhaseSummary[];
  readonly outcome: { status: RunStatus | 'unfinished'; durationMs?: number; error?: string; interruptedBy?: string };
  /** Measured recovery time vs the objective; `source` says what the measurement is. */
  readonly rto: {
    objectiveMs?: number;
    measuredMs?: number;
    met?: boolean;
    source: 'recovered-at' | 'recovery-step' | 'run-end' | 'none';
  };
  readonly rpoObjectiveMs?: number;
}

export interface SummarizeOptions {
  /** The step whose end means service is restored, when run:end carries no recoveredAtMs. */
  readonly recoveryStep?: string;
}

type Data<T extends keyof RunEvents> = RunEvents[T];

/** Builds the structured summary of one run's (verified) records. */
export function summarizeAudit(records: readonly AuditRecord[], options: SummarizeOptions = {}): AuditSummary {
  if (records.length === 0) throw new Error('summarizeAudit needs at least one record');
  const first = records[0];
  const t0 = Date.parse(first.ts);
  const offset = (ts: string) => Date.parse(ts) - t0;
  const steps = new Map<string, StepSummary & { retries: StepSummary['retries'] }>();
  const phaseTimes = new Map<string, { start?: number; end?: number; durationMs?: number; budgetMs?: number }>();
  const s = {
    approvals: [] as ApprovalSummary[],
    checklist: [] as AuditSummary['checklist'],
    decisions: [] as AuditSummary['decisions'],
    resumes: [] as AuditSummary['resumes'],
    rollback: undefined as AuditSummary['rollback'] | undefined,
  };
  let start: Data<'run:start'> | undefined;
  let end: (Data<'run:end'> & { at: string }) | undefined;
  let interruptedBy: string | undefined;

  for (const r of records) {
    const d = r.data as never;
    switch (r.type) {
      case 'run:start':
        start ??= d;
        break;
      case 'run:end':
        end = { ...(d as Data<'run:end'>), at: r.ts };
        break;
      case 'run:interrupted':
        interruptedBy = (d as Data<'run:interrupted'>).signal;
        break;
      case 'run:resume':
        s.resumes.push({ by: (d as Data<'run:resume'>).by, at: r.ts });
        break;
      case 'operator:decision':
        s.decisions.push({ ...(d as Data<'operator:decision'>), at: r.ts });
        break;
      case 'phase:start':
        phase(phaseTimes, (d as Data<'phase:start'>).phaseId).start ??= offset(r.ts);
        break;
      case 'phase:end': {
        const e = d as Data<'phase:end'>;
        Object.assign(phase(phaseTimes, e.phaseId), {
          end: offset(r.ts),
          durationMs: e.durationMs,
          budgetMs: e.budgetMs,
        });
        break;
      }
      case 'step:start': {
        const e = d as Data<'step:start'>;
        const prev = steps.get(e.stepId);
        steps.set(e.stepId, {
          stepId: e.stepId,
          uses: e.uses,
          retries: prev?.retries ?? [],
          attempts: Math.max(prev?.attempts ?? 0, e.attempt),
          status: 'running',
          startedAt: prev?.startedAt ?? r.ts,
          startMs: prev?.startMs ?? offset(r.ts),
        });
        break;
      }
      case 'step:retry': {
        const e = d as Data<'step:retry'>;
        steps.get(e.stepId)?.retries.push({ attempt: e.attempt, error: e.error, delayMs: e.delayMs, at: r.ts });
        break;
      }
      case 'step:end': {
        const e = d as Data<'step:end'>;
        const prev = steps.get(e.stepId);
        steps.set(e.stepId, {
          ...prev,
          stepId: e.stepId,
          retries: prev?.retries ?? [],
          attempts: Math.max(prev?.attempts ?? 0, e.attempt),
          status: e.status,
          startedAt: prev?.startedAt ?? r.ts,
          startMs: prev?.startMs ?? offset(r.ts),
          endedAt: r.ts,
          endMs: offset(r.ts),
          durationMs: e.durationMs,
          outputs: e.outputs,
          result: e.result,
          error: e.error,
          reason: e.reason,
        });
        break;
      }
      case 'approval:granted': {
        const e = d as Data<'approval:granted'>;
        s.approvals.push({
          stepId: e.stepId,
          decision: 'granted',
          ...e.approval,
          count: e.count,
          required: e.required,
        });
        break;
      }
      case 'approval:refused': {
        const e = d as Data<'approval:refused'>;
        s.approvals.push({
          stepId: e.stepId,
          decision: 'refused',
          approver: e.approver,
          source: e.source,
          reason: e.reason,
          at: r.ts,
        });
        break;
      }
      case 'checklist:item': {
        const e = d as Data<'checklist:item'>;
        s.checklist.push({ stepId: e.stepId, text: e.text, confirmedBy: e.confirmedBy, at: r.ts });
        break;
      }
      case 'rollback:start':
        s.rollback = { reason: (d as Data<'rollback:start'>).reason, at: r.ts, steps: [] };
        break;
      case 'rollback:step':
        s.rollback?.steps.push(d);
        break;
      case 'rollback:end': {
        const e = d as Data<'rollback:end'>;
        if (s.rollback)
          s.rollback = {
            ...s.rollback,
            status: e.status,
            ...(e.notUndone?.length ? { notUndone: e.notUndone, incompleteReason: e.reason } : {}),
          };
        break;
      }
    }
  }

  const stepList = [...steps.values()];
  return {
    runId: first.runId,
    runbook: first.runbook,
    title: start?.title,
    planHash: first.planHash,
    commit: first.commit,
    actor: first.actor,
    initiator: start?.initiator,
    startedAt: first.ts,
    endedAt: end?.at,
    dryRun: start?.dryRun ?? false,
    drill: start?.drill ?? false,
    inputs: start?.inputs ?? {},
    steps: stepList,
    ...s,
    rollback: s.rollback,
    phases: summarizePhases(start, phaseTimes, stepList),
    outcome: { status: end?.status ?? 'unfinished', durationMs: end?.durationMs, error: end?.error, interruptedBy },
    rto: measureRto(start, end, stepList, options.recoveryStep),
    rpoObjectiveMs: start?.objectives.rpoMs,
  };
}

function phase<V extends object>(map: Map<string, V>, id: string): V {
  if (!map.has(id)) map.set(id, {} as V);
  return map.get(id)!;
}

/** Phase time from phase:end, else from its phase:start/end records, else from its steps. */
function summarizePhases(
  start: Data<'run:start'> | undefined,
  times: Map<string, { start?: number; end?: number; durationMs?: number; budgetMs?: number }>,
  steps: StepSummary[],
): PhaseSummary[] {
  const declared = start?.phases ?? [...times.keys()].map((id) => ({ id, steps: [] as string[], budgetMs: undefined }));
  return declared.map((p) => {
    const t = times.get(p.id) ?? {};
    const budgetMs = p.budgetMs ?? t.budgetMs;
    const own = steps.filter((st) => p.steps.includes(st.stepId));
    const ends = own.map((st) => st.endMs);
    const fromSteps =
      own.length > 0 && ends.every((e) => e !== undefined)
        ? Math.max(...(ends as number[])) - Math.min(...own.map((st) => st.startMs ?? 0))
        : undefined;
    const durationMs = t.durationMs ?? (t.start !== undefined && t.end !== undefined ? t.end - t.start : fromSteps);
    const status =
      durationMs === undefined
        ? 'unfinished'
        : budgetMs === undefined
          ? 'no-budget'
          : durationMs <= budgetMs
            ? 'ok'
            : 'over';
    return { id: p.id, budgetMs, durationMs, status };
  });
}

/**
 * Measured RTO: run:end.recoveredAtMs (ms from run start, set by the scheduler when the
 * recovery step succeeded), else the end of `recoveryStep`, else the whole run if it
 * succeeded. A run that did not recover has no measurement and has not met its RTO.
 */
function measureRto(
  start: Data<'run:start'> | undefined,
  end: Data<'run:end'> | undefined,
  steps: StepSummary[],
  recoveryStep?: string,
): AuditSummary['rto'] {
  const objectiveMs = start?.objectives.rtoMs;
  const rec = recoveryStep ? steps.find((st) => st.stepId === recoveryStep && st.status === 'succeeded') : undefined;
  const [measuredMs, source]: [number | undefined, AuditSummary['rto']['source']] =
    end?.recoveredAtMs !== undefined
      ? [end.recoveredAtMs, 'recovered-at']
      : rec?.endMs !== undefined
        ? [rec.endMs, 'recovery-step']
        : end?.status === 'succeeded'
          ? [end.durationMs, 'run-end']
          : [undefined, 'none'];
  const met = objectiveMs === undefined ? undefined : measuredMs !== undefined && measuredMs <= objectiveMs;
  return { objectiveMs, measuredMs, met, source };
}
