import type { ActionContext } from '../actions/action.js';
import { ActionError } from '../core/errors.js';
import { formatDuration } from './call.js';
import { isAuthError, isNotFound, toActionError, type AwsCall } from './errors.js';

/** Polling of an SDK waiter, in seconds as the SDK counts them. */
export interface WaiterTiming {
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly maxWaitTime: number;
}

// Why not the SDK's defaults: its RDS waiters back off up to 1800 s between polls, which would
// notice a promoted replica up to half an hour late, and their background sleep outlives an
// aborted wait by as long. The step's `timeout` stays the real bound (its signal aborts the
// wait); maxWaitTime only caps a step that has none.
const DEFAULT_TIMING: Record<AwsCall['service'], WaiterTiming> = {
  rds: { minDelay: 30, maxDelay: 60, maxWaitTime: 3 * 3600 },
  route53: { minDelay: 10, maxDelay: 30, maxWaitTime: 1800 },
};
let timing = { ...DEFAULT_TIMING };

/**
 * Overrides the waiter timing per service (tests use fractions of a second); without an
 * argument restores the defaults.
 */
export function setAwsWaiterTiming(next?: Partial<Record<AwsCall['service'], Partial<WaiterTiming>>>): void {
  timing = {
    rds: { ...DEFAULT_TIMING.rds, ...next?.rds },
    route53: { ...DEFAULT_TIMING.route53, ...next?.route53 },
  };
}

/** The timing in force for a service. */
export function waiterTiming(service: AwsCall['service']): WaiterTiming {
  return timing[service];
}

/** The signature of the SDK's `waitUntil…` functions, generic over client, input and output. */
export type SdkWaiter<C, I, O> = (
  config: { client: C; maxWaitTime: number; minDelay?: number; maxDelay?: number; abortSignal?: AbortSignal },
  input: I,
) => Promise<{ state: string; reason?: unknown }>;

/** One wait: which SDK waiter, on what, and how to read the status people should see. */
export interface WaitRequest<C, I, O> {
  /** The polling call (e.g. rds:DescribeDBInstances on the instance), for error messages. */
  readonly call: AwsCall;
  readonly client: C;
  readonly input: I;
  readonly waiter: SdkWaiter<C, I, O>;
  /** The state waited for, e.g. `available`, `INSYNC`, `deleted`. */
  readonly target: string;
  readonly statusOf: (output: O) => string | undefined;
  /**
   * Whether a resource that stays missing ends the wait (default true). The SDK's waiters poll
   * through every error until maxWaitTime, so a wrong identifier would look like a slow
   * instance; two not-found polls in a row end it instead (one could be RDS's eventual
   * consistency right after a create). False for the deleted waiters, where missing is success.
   */
  readonly missingEndsWait?: boolean;
}

/** How a wait ended: the last polled output (undefined when success was a not-found). */
export interface WaitOutcome<O> {
  readonly output: O | undefined;
  readonly status: string | undefined;
  readonly waitedMs: number;
}

type WaitContext = Pick<ActionContext, 'signal' | 'clock' | 'log'>;

/**
 * Runs an SDK waiter bounded by the step's signal. Failures become ActionErrors: a timeout is
 * retryable and says `X still <status> after <n>`; a terminal state (`failed`,
 * `incompatible-restore`…) is not; an aborted step rethrows the signal's reason.
 */
export async function waitFor<C extends object, I, O>(req: WaitRequest<C, I, O>, ctx: WaitContext): Promise<WaitOutcome<O>> {
  const started = ctx.clock.now();
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  let status: string | undefined;
  let fatalError: unknown;
  let missing = 0;
  // Denied polls cannot turn into success: end the wait at the first one.
  const fatal = (e: unknown) => isAuthError(e) || (req.missingEndsWait !== false && isNotFound(e) && ++missing >= 2);

  // The waiter only calls client.send (and reads client.config for a warning): a child object
  // watches each poll without changing the client, and works with aws-sdk-client-mock's stubs.
  const watched = Object.create(req.client) as C & { send: (c: unknown, o?: unknown) => Promise<O> };
  const send = (req.client as unknown as { send: (c: unknown, o?: unknown) => Promise<O> }).send.bind(req.client);
  watched.send = async (command) => {
    try {
      const output = await send(command, { abortSignal: signal });
      missing = 0;
      status = req.statusOf(output) ?? status;
      return output;
    } catch (error) {
      if (fatal(error) && fatalError === undefined) {
        fatalError = error;
        stop.abort();
      }
      throw error;
    }
  };

  const t = timing[req.call.service];
  const minDelay = Math.min(t.minDelay, t.maxWaitTime / 2);
  const config = { client: watched, abortSignal: signal, maxWaitTime: t.maxWaitTime, minDelay, maxDelay: Math.max(minDelay, t.maxDelay) };
  const waited = () => ctx.clock.now() - started;
  const still = () => `${req.call.resource} still ${status ?? `not ${req.target}`} after ${formatDuration(waited())} (waiting for ${req.target})`;
  try {
    const result = await req.waiter(config, req.input);
    const output = result.reason && !(result.reason instanceof Error) ? (result.reason as O) : undefined;
    return { output, status: output ? (req.statusOf(output) ?? status) : status, waitedMs: waited() };
  } catch (error) {
    if (fatalError !== undefined) throw toActionError(fatalError, req.call);
    const name = (error as { name?: string } | null)?.name;
    if (ctx.signal.aborted) {
      ctx.log.info(still());
      throw ctx.signal.reason;
    }
    if (name === 'TimeoutError') throw new ActionError(still(), { retryable: true, code: 'WaiterTimeout', cause: error });
    const reached = status ? `is ${status}` : 'reached a terminal state';
    throw new ActionError(`${req.call.resource} ${reached} while waiting for ${req.target}, after ${formatDuration(waited())}`, {
      retryable: false, code: 'WaiterFailure', cause: error,
    });
  }
}
