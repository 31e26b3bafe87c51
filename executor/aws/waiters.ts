import type { ActionContext } from '../actions/action.js';
import { ActionError } from '../core/errors.js';
import { formatDuration } from './call.js';
import { isAuthError, isConfigError, isNotFound, toActionError, type AwsCall } from './errors.js';

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
export type SdkWaiter<C, I, _O> = (
  config: {
    client: C;
    maxWaitTime: number;
    minDelay?: number;
    maxDelay?: number;
    abortSignal?: AbortSignal;
    abortController?: { signal: { aborted: boolean } };
  },
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
 *
 * Why each SDK waiter call polls only once, the loop and its sleep being ours: the SDK's poller
 * sleeps with a bare setTimeout that an abort does not clear, so after a step timeout or Ctrl-C
 * the process stayed alive until that sleep ended (up to maxDelay, 60 s for RDS). Our sleep is
 * the clock's, which the step's signal cancels. The SDK still decides what each poll means (its
 * acceptors: success, failure, retry), which is what the waiters are for.
 */
export async function waitFor<C extends object, I, O>(
  req: WaitRequest<C, I, O>,
  ctx: WaitContext,
): Promise<WaitOutcome<O>> {
  const started = ctx.clock.now();
  const t = timing[req.call.service];
  const deadline = started + t.maxWaitTime * 1000;
  const minDelayMs = Math.min(t.minDelay, t.maxWaitTime / 2) * 1000;
  const maxDelayMs = Math.max(minDelayMs, t.maxDelay * 1000);
  const w = watchPolls(req, ctx);

  const waited = () => ctx.clock.now() - started;
  const still = () =>
    `${req.call.resource} still ${w.status ?? `not ${req.target}`} after ${formatDuration(waited())} (waiting for ${req.target})`;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const left = deadline - ctx.clock.now();
      if (left <= 0) throw new ActionError(still(), { code: 'wait-timeout' });
      try {
        // A missing resource is checked again soon: RDS's eventual consistency after a create
        // lasts seconds, and a wrong identifier should not take two full poll intervals to report.
        const delay =
          w.missing > 0 ? Math.min(MISSING_RECHECK_MS, minDelayMs) : backoff(minDelayMs, maxDelayMs, attempt);
        await ctx.clock.sleep(Math.min(delay, left), ctx.signal);
      } catch (error) {
        if (ctx.signal.aborted) ctx.log.info(still());
        throw error;
      }
    }
    w.polled = false;
    const config = {
      client: w.client,
      abortSignal: ctx.signal,
      abortController: w.onePoll,
      maxWaitTime: t.maxWaitTime,
      minDelay: minDelayMs / 1000,
      maxDelay: maxDelayMs / 1000,
    };
    try {
      const result = await req.waiter(config, req.input);
      const output = result.reason && !(result.reason instanceof Error) ? (result.reason as O) : undefined;
      return { output, status: output ? (req.statusOf(output) ?? w.status) : w.status, waitedMs: waited() };
    } catch (error) {
      if (ctx.signal.aborted) {
        ctx.log.info(still());
        throw ctx.signal.reason;
      }
      if (w.fatalError !== undefined) throw toActionError(w.fatalError, req.call);
      const name = (error as { name?: string } | null)?.name;
      // AbortError: our onePoll ended a poll that said "retry"; TimeoutError: maxWaitTime is shorter than a poll.
      if (name === 'AbortError' || name === 'TimeoutError') continue;
      const reached = w.status ? `is ${w.status}` : 'reached a terminal state';
      throw new ActionError(
        `${req.call.resource} ${reached} while waiting for ${req.target}, after ${formatDuration(waited())}`,
        {
          code: 'invalid-state',
          cause: error,
        },
      );
    }
  }
}

/** What the watched client saw of the polls so far. */
interface PollWatch<C> {
  /** The client the waiter polls through: the caller's, each poll watched. */
  readonly client: C;
  /** Ends the SDK poller after one poll (see below). */
  readonly onePoll: { signal: { readonly aborted: boolean; onabort: null } };
  /** The status the last successful poll reported. */
  status: string | undefined;
  /** The first error that must end the wait (denied, misconfigured, missing twice). */
  fatalError: unknown;
  /** Not-found answers in a row. */
  missing: number;
  /** Whether the current attempt has polled. */
  polled: boolean;
}

function watchPolls<C extends object, I, O>(req: WaitRequest<C, I, O>, ctx: WaitContext): PollWatch<C> {
  // Denied polls and configuration errors (no region, no credentials) cannot turn into success:
  // end the wait at the first one instead of polling them until the step's timeout.
  const fatal = (e: unknown) =>
    isAuthError(e) || isConfigError(e) || (req.missingEndsWait !== false && isNotFound(e) && ++w.missing >= 2);
  // The waiter only calls client.send (and reads client.config for a warning): a child object
  // watches each poll without changing the client, and works with aws-sdk-client-mock's stubs.
  const watched = Object.create(req.client) as C & { send: (c: unknown, o?: unknown) => Promise<O> };
  const send = (req.client as unknown as { send: (c: unknown, o?: unknown) => Promise<O> }).send.bind(req.client);
  watched.send = async (command) => {
    try {
      const output = await send(command, { abortSignal: ctx.signal });
      w.missing = 0;
      w.status = req.statusOf(output) ?? w.status;
      return output;
    } catch (error) {
      if (fatal(error) && w.fatalError === undefined) w.fatalError = error;
      throw error;
    } finally {
      w.polled = true;
    }
  };
  const w: PollWatch<C> = {
    client: watched,
    // Read by the SDK's poller before it would sleep: once one poll is done, it returns ABORTED
    // ("not yet") instead. A plain object, not an AbortController: the SDK also races a real
    // signal's abort event against the poll, which would hide a poll that just succeeded.
    onePoll: {
      signal: {
        get aborted() {
          return w.polled;
        },
        onabort: null,
      },
    },
    status: undefined,
    fatalError: undefined,
    missing: 0,
    polled: false,
  };
  return w;
}

const MISSING_RECHECK_MS = 2_000;

/** The SDK waiters' delay: exponential from minDelay, capped at maxDelay, with jitter. */
function backoff(minMs: number, maxMs: number, attempt: number): number {
  const capped = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 30));
  return minMs + Math.random() * (capped - minMs);
}
