import { canonicalJson, sha256 } from '../../ir/canonical-json.js';
import type { EventSink, RunEventType, RunEvents } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';

/**
 * The audit log: every run event becomes one hash-chained record. The chain makes a change,
 * deletion, reordering or insertion of records detectable (see verify.ts); the durable sinks
 * (file, PostgreSQL) make a record survive a crash before the executor acts on it.
 */

/** `prevHash` of a run's first record. A fixed value: the record itself names its run. */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit record of an event of type T, exactly as written (one JSON line, one table row). */
export interface AuditRecordOf<T extends RunEventType> {
  /** 1 for the first record of a run, then +1 per record: a gap means a deleted record. */
  readonly seq: number;
  /** ISO 8601 time the record was made. */
  readonly ts: string;
  readonly runId: string;
  readonly runbook: string;
  readonly planHash: string;
  /** Git commit of the runbook source, null when not known (local, uncommitted run). */
  readonly commit: string | null;
  /** Who the executor runs as (the initiator, or the CI identity). */
  readonly actor: string;
  readonly type: T;
  readonly stepId?: string;
  readonly attempt?: number;
  /** The event's data, secrets masked. */
  readonly data: RunEvents[T];
  readonly prevHash: string;
  /** sha256 of the canonical JSON of every other field (but `sig`). */
  readonly hash: string;
  /**
   * With RUNBOOK_AUDIT_KEY: a signature over `hash` (see audit-key.ts). Outside the hash, which
   * it signs; a record without it passes the chain, so verify with the key refuses it.
   */
  readonly sig?: string;
}

/**
 * An audit record: without T, the union of the records of every event type, discriminated by
 * `type`, so `if (r.type === 'step:end')` narrows `r.data` to the step:end data with no cast.
 */
export type AuditRecord<T extends RunEventType = RunEventType> = { [K in RunEventType]: AuditRecordOf<K> }[T];

/** Any audit record (the discriminated union over the event map). */
export type AnyAuditRecord = AuditRecord;

/** A type guard for `find`/`filter`: the records of one event type, their data typed. */
export function isRecordOf<T extends RunEventType>(type: T): (r: AuditRecord) => r is AuditRecord<T> {
  return (r): r is AuditRecord<T> => r.type === type;
}

/** Where audit records go. `write` resolves only once the records are durable there. */
export interface AuditSink {
  readonly name: string;
  /** Called with records in seq order; must keep that order. */
  write(records: readonly AuditRecord[]): Promise<void>;
  close?(): Promise<void>;
}

/** Thrown by `emit` when a sink could not make a record durable; the run must stop. */
export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
}

/** The hash a record must carry: sha256 of its canonical JSON without `hash` and `sig`. */
export function hashRecord(record: { readonly seq: number; readonly hash?: string; readonly sig?: string }): string {
  const { hash: _ignored, sig: _signature, ...rest } = record;
  return sha256(canonicalJson(rest));
}

export interface AuditLogOptions {
  readonly runId: string;
  readonly runbook: string;
  readonly planHash: string;
  readonly commit?: string;
  readonly actor: string;
  readonly sinks: AuditSink[];
  readonly masker: SecretMasker;
  readonly clock?: () => Date;
  /** Continue an existing chain (`runbook resume`): the last durable record's seq and hash. */
  readonly continueFrom?: { readonly seq: number; readonly hash: string };
  /** Signs each record's hash (RUNBOOK_AUDIT_KEY); unsigned records without it. */
  readonly sign?: (hash: string) => string;
}

/** An EventSink that turns events into chained records; also tells where the chain is. */
export interface AuditLog extends EventSink {
  /** seq and hash of the last record made (durable or not yet). */
  readonly tail: { readonly seq: number; readonly hash: string };
  /** Waits for every emit in flight, then closes the sinks. */
  close(): Promise<void>;
}

/**
 * Creates the audit log of one run. Records are chained in the order `emit` is called (the
 * chain is extended synchronously, so concurrent emits from parallel steps get one total
 * order); each sink batches concurrent records into one durable write. `emit` resolves when
 * every sink has the record durably and rejects with AuditWriteError otherwise; after one
 * failure every later emit is refused too, because the log could no longer be complete.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const clock = options.clock ?? (() => new Date());
  let seq = options.continueFrom?.seq ?? 0;
  let prevHash = options.continueFrom?.hash ?? GENESIS_HASH;
  let failed: AuditWriteError | undefined;
  const inFlight = new Set<Promise<unknown>>();

  function build<T extends RunEventType>(type: T, data: RunEvents[T]): AuditRecordOf<T> {
    const masked = maskData(options.masker, toJsonValue(data));
    const ids = idsOf(masked);
    const body = {
      seq: ++seq,
      ts: clock().toISOString(),
      runId: options.runId,
      runbook: options.runbook,
      planHash: options.planHash,
      commit: options.commit ?? null,
      actor: options.actor,
      type,
      ...(typeof ids.stepId === 'string' ? { stepId: ids.stepId } : {}),
      ...(typeof ids.attempt === 'number' ? { attempt: ids.attempt } : {}),
      data: masked,
      prevHash,
    };
    const hash = hashRecord(body);
    const record: AuditRecordOf<T> = { ...body, hash, ...(options.sign ? { sig: options.sign(hash) } : {}) };
    prevHash = record.hash;
    return record;
  }

  async function deliver(record: AuditRecord): Promise<void> {
    const results = await Promise.allSettled(options.sinks.map((s) => s.write([record])));
    const bad = results.findIndex((r) => r.status === 'rejected');
    if (bad < 0) return;
    const cause = (results[bad] as PromiseRejectedResult).reason;
    failed ??= new AuditWriteError(
      `audit sink ${options.sinks[bad].name} could not store record ${record.seq} (${record.type}): ${messageOf(cause)}`,
      { cause },
    );
    throw failed;
  }

  return {
    emit(type, data) {
      if (failed) return Promise.reject(failed);
      // build() and the sinks' write() calls happen synchronously, in call order: that is
      // what gives concurrent emits one chain order and the sinks the same record order.
      // The one widening of a record: TypeScript cannot tell that the record of a generic event
      // type T is a member of the union over every T (correlated unions, microsoft/TypeScript#30581),
      // and every record is made here.
      const p = deliver(build(type, data) as AuditRecord);
      inFlight.add(p);
      p.then(
        () => inFlight.delete(p),
        () => inFlight.delete(p),
      );
      return p;
    },
    get tail() {
      return { seq, hash: prevHash };
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await Promise.all(options.sinks.map(async (s) => s.close?.()));
    },
  };
}

/** The step id and attempt an event's data carries, copied onto its record. */
function idsOf(data: object): { stepId?: unknown; attempt?: unknown } {
  return { stepId: Reflect.get(data, 'stepId'), attempt: Reflect.get(data, 'attempt') };
}

/**
 * Normalises data to what JSON can hold (Dates to strings, undefined dropped), so the record
 * that is hashed is exactly the record that is read back and re-hashed by `verify`.
 */
function toJsonValue<V>(value: V): V;
// An overload, not a cast: event data is plain JSON by type (strings, numbers, booleans, arrays
// and objects of them, optional fields), which a JSON round trip keeps as it is.
function toJsonValue(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/**
 * Fields that name things of the graph (steps, phases, runbooks), never values: masking them
 * because a secret happens to equal a step id would make the journal point at a step that does
 * not exist, so resume re-runs it or cannot resume at all.
 */
const identifierFields = new Set(['stepId', 'phaseId', 'runbook', 'completed', 'inDoubt', 'phases']);

/** maskJson on an event's data, except its identifier fields. */
function maskData<V>(masker: SecretMasker, data: V): V;
// An overload, not a cast: masking replaces strings with strings (keys too), so JSON keeps its shape.
function maskData(masker: SecretMasker, data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return maskJson(masker, data);
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, identifierFields.has(k) ? v : maskJson(masker, v)]),
  );
}

/** Masks secrets in every string and every key: a secret must not reach the record at all. */
function maskJson(masker: SecretMasker, value: unknown): unknown {
  if (typeof value === 'string') return masker.mask(value);
  if (Array.isArray(value)) return value.map((v) => maskJson(masker, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[masker.mask(k)] = maskJson(masker, v);
    return out;
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
