import { createHash } from 'node:crypto';
import type { ApprovalGate } from '../actions/action.js';
import { AuditWriteError } from '../audit/record.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import { approverChecker, normLogin, type MembershipSource } from './approvers.js';
import type { GithubApi, RepoRef } from './client.js';
import { conditionalCommentReader } from './conditional-list.js';
import { approvalRequestBody, formatDuration, parseGateCommand, planPrefixProblem } from './comment-command.js';
import { GateParked, defaultParkAfterMs } from '../core/parked.js';
import { approverNames, parkTime, parkedNote, type ParkedRequest } from './gate-park.js';
import { pullReviewReader, sourceOf, withdrawal, type GateMessage } from './review-reader.js';

/** The run a comment gate belongs to and where it reads and writes. */
export interface CommentGateOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  /** The run's tracking issue (or the run request's pull request). */
  readonly issueNumber: number;
  readonly runId: string;
  readonly planHash: string;
  readonly initiator: string;
  /** Where grants and refusals go: the run's audit log. */
  readonly events: EventSink;
  /** The Directory's compiled team members: they decide membership without `membersOctokit`. */
  readonly members?: Readonly<Record<string, readonly string[]>>;
  /** A members-read client (RUNBOOK_GITHUB_MEMBERS_TOKEN): live team membership decides. */
  readonly membersOctokit?: GithubApi;
  readonly clock?: Clock;
  /**
   * Between two reads of the issue's comments (default 15 s). While nothing changes the interval
   * doubles after every 4 quiet reads, up to 4× (a minute by default), and drops back at the
   * first change; quiet reads are conditional and answered 304, free of the rate limit.
   */
  readonly pollIntervalMs?: number;
  /** Refuse `/approve <step>` without a plan-hash prefix (default: the prefix is optional). */
  readonly requirePlanHash?: boolean;
  /** Masks secrets in the request message before it is posted. */
  readonly mask?: (text: string) => string;
  readonly log?: (message: string) => void;
  /**
   * The run has a database journal of record: a gate still waiting after its `parkAfterMs` parks
   * the run (throws GateParked) instead of holding the job (issue 13).
   */
  readonly canPark?: boolean;
  /** A resumed parked run: the gate of this step continues its original request, once. */
  readonly parked?: ParkedRequest;
}

type GateRequest = Parameters<ApprovalGate['request']>[0];
type GateAnswer = Awaited<ReturnType<ApprovalGate['request']>>;
type IssueComment = GateMessage;
/** A comment's final reading: an approval that counts (while the comment stays as it was), or nothing more to do. */
type Verdict = { readonly kind: 'grant'; readonly login: string } | { readonly kind: 'done' };

const SOURCE = 'github-comment';

/**
 * Approval gates answered by comments on the run's tracking issue. Posts a request (plan hash,
 * policy, `/approve` and `/reject` syntax), then re-reads the comments every poll and applies the
 * policy: only comments made after the request, by someone other than the bot; a comment counts
 * with the text the gate first read (its SHA-256 is kept and audited), and an approval whose text
 * changes or whose comment is deleted before the gate opens is withdrawn (edits are detected by
 * text, not by `updated_at`); allowed users or team members (live with a members-read client,
 * else the Directory) with write access to the repository only; no self-approval unless
 * allowed; distinct approvers; a plan-hash prefix, when given, must match. A resumed run posts a
 * new request, so comments read by an earlier gate never count again.
 * On the run request's pull request a review whose body is a gate command counts as that comment
 * would (source `github-review`), except an `/approve` in a review requesting changes; a dismissed
 * review withdraws its approval like a deleted comment.
 * A valid `/reject` ends the gate refused; so does the timeout, and a comment made after it
 * (by GitHub's clock) is not considered. Every grant and refusal is emitted with the approver.
 */
export function githubCommentGate(o: CommentGateOptions): ApprovalGate {
  let parked = o.parked;
  return {
    request: (req) => {
      const resumed = parked?.stepId === req.stepId ? parked : undefined;
      if (resumed) parked = undefined;
      return waitForApprovals(o, req, resumed);
    },
  };
}

/** The state of one gate, from the request comment GitHub created. */
function newRound(
  o: CommentGateOptions,
  req: GateRequest,
  posted: { id: number; created_at: string; user?: { login: string } | null },
): Round {
  return {
    o,
    req,
    verdicts: new Map(),
    checker: approverChecker({
      octokit: o.octokit,
      approvers: req.approvers,
      members: o.members,
      membersOctokit: o.membersOctokit,
      repo: o.repo,
    }),
    bot: normLogin(posted.user?.login ?? ''),
    requestId: posted.id,
    requestAt: Date.parse(posted.created_at),
    seen: new Map(),
    quiet: 0,
    read: conditionalCommentReader(o.octokit, o.repo, o.issueNumber),
    reviews: pullReviewReader(o.octokit, o.repo, o.issueNumber),
    // GitHub's clock decides what came after the timeout, so a slow poll cannot let a late comment in.
    closesAt: req.timeoutMs !== undefined ? Date.parse(posted.created_at) + req.timeoutMs : Infinity,
  };
}

/** The request, posted now: approval:requested, the request comment, the deadline from now. */
async function openRound(o: CommentGateOptions, req: GateRequest, clock: Clock): Promise<Opened> {
  const message = (o.mask ?? ((s: string) => s))(req.message);
  await o.events.emit('approval:requested', {
    stepId: req.stepId,
    approvers: req.approvers,
    required: req.required,
    message,
  });
  const now = clock.now();
  const deadline = req.timeoutMs !== undefined ? now + req.timeoutMs : Infinity;
  const body = approvalRequestBody({ ...req, message, runId: o.runId, planHash: o.planHash, initiator: o.initiator });
  const posted = (
    await o.octokit.issues.createComment({
      ...o.repo,
      issue_number: o.issueNumber,
      body,
      request: { signal: req.signal },
    })
  ).data;
  const parkAt = parkTime({ canPark: o.canPark === true, resumed: false, parkAfterMs: req.parkAfterMs, now });
  return { ctx: newRound(o, req, posted), deadline, parkAt, since: posted.created_at };
}

/**
 * A parked gate resumed: its original request (nothing is posted or journaled again), its
 * deadline, the grants already journaled and the comments already judged. It parks again at
 * once when the comments read now do not decide it.
 */
function resumeRound(o: CommentGateOptions, req: GateRequest, p: ParkedRequest, clock: Clock): Opened {
  const ctx = newRound({ ...o, initiator: p.initiator }, req, {
    id: p.commentId,
    created_at: p.createdAt,
    user: { login: p.bot },
  });
  for (const id of p.judged) ctx.verdicts.set(id, { kind: 'done' });
  for (const g of p.grants) {
    ctx.verdicts.set(g.commentId, { kind: 'grant', login: g.approver });
    if (g.textSha256) ctx.seen.set(g.commentId, g.textSha256);
  }
  const deadline = p.deadline ? Date.parse(p.deadline) : Infinity;
  const parkAt = parkTime({ canPark: o.canPark === true, resumed: true, now: clock.now() });
  return { ctx, deadline, parkAt, since: p.createdAt };
}

interface Opened {
  readonly ctx: Round;
  readonly deadline: number;
  readonly parkAt: number;
  /** The request comment's created_at: comments are read from then on. */
  readonly since: string;
}

async function waitForApprovals(
  given: CommentGateOptions,
  req: GateRequest,
  resumed?: ParkedRequest,
): Promise<GateAnswer> {
  const clock = given.clock ?? systemClock;
  const opened = resumed ? resumeRound(given, req, resumed, clock) : await openRound(given, req, clock);
  const { ctx, deadline, parkAt } = opened;
  // A resumed gate judges self-approval against the run's initiator (resumeRound set it).
  const o = ctx.o;
  const refuse = async (reason: string, audited = false): Promise<GateAnswer> => {
    if (!audited) await o.events.emit('approval:refused', { stepId: req.stepId, source: SOURCE, reason });
    await reply(o, `⛔ \`${req.stepId}\`: ${reason}`);
    return { approved: false, reason };
  };
  for (;;) {
    let outcome: GateAnswer | undefined;
    try {
      outcome = await poll(ctx, opened.since);
    } catch (error) {
      // The audit log failing is not a GitHub hiccup: the run must stop.
      if (error instanceof AuditWriteError) throw error;
      if (req.signal.aborted) return refuse(`cancelled while waiting for approval: ${String(req.signal.reason)}`);
      // One failed read is not an answer; the next poll (or the timeout) decides.
      o.log?.(`approval ${req.stepId}: reading comments failed: ${(error as Error).message}`);
    }
    if (outcome?.approved) {
      await reply(
        o,
        `✅ \`${req.stepId}\` approved by ${outcome.approvedBy.join(', ')} (plan \`${o.planHash.slice(0, 12)}\`)`,
      );
      return outcome;
    }
    // A rejection was audited with its approver when it was read.
    if (outcome) return refuse(outcome.reason, true);
    const now = clock.now();
    if (now >= deadline) {
      const n = granted(ctx).length;
      return refuse(`timed out after ${formatDuration(req.timeoutMs ?? 0)} with ${n} of ${req.required} approval(s)`);
    }
    if (now >= parkAt) throw await park(ctx);
    try {
      const wait = Math.min(pollInterval(o.pollIntervalMs ?? 15_000, ctx.quiet), deadline - now, parkAt - now);
      await clock.sleep(wait, req.signal);
    } catch {
      return refuse(`cancelled while waiting for approval: ${String(req.signal.reason)}`);
    }
  }
}

/**
 * Parks the run at this gate: says so on the issue (who can approve, how), then throws GateParked.
 * The deadline it records is the one comments are judged by: the request comment's creation plus
 * the timeout, by GitHub's clock (a resume closes the gate then too).
 */
async function park(r: Round): Promise<GateParked> {
  const deadline = r.closesAt;
  const { o, req } = r;
  const judged = [...r.verdicts].flatMap(([id, v]) => (v.kind === 'done' ? [id] : []));
  const p = {
    stepId: req.stepId,
    approvers: req.approvers,
    required: req.required,
    granted: granted(r).length,
    ...(Number.isFinite(deadline) ? { deadline: new Date(deadline).toISOString() } : {}),
    parkAfterMs: req.parkAfterMs ?? defaultParkAfterMs,
    request: { commentId: r.requestId, createdAt: new Date(r.requestAt).toISOString(), bot: r.bot, judged },
  };
  const who = approverNames(req.approvers, o.members);
  await reply(o, parkedNote(p, { planHash: o.planHash, initiator: o.initiator, selfApproval: req.selfApproval, who }));
  return new GateParked(p);
}

interface Round {
  readonly o: CommentGateOptions;
  readonly req: GateRequest;
  readonly verdicts: Map<number, Verdict>;
  readonly checker: ReturnType<typeof approverChecker>;
  readonly bot: string;
  readonly requestId: number;
  readonly requestAt: number;
  readonly closesAt: number;
  /** SHA-256 of each comment's text when first read: a later different text is an edit. */
  readonly seen: Map<number, string>;
  /** Consecutive reads that changed nothing (every page 304). */
  quiet: number;
  readonly read: ReturnType<typeof conditionalCommentReader>;
  /** The pull request's reviews (none on a plain issue): a review's body is a gate command like a comment's. */
  readonly reviews: ReturnType<typeof pullReviewReader>;
}

/** The poll interval after `quiet` unchanged reads: doubled per 4 of them, at most 4× the base. */
export const pollInterval = (base: number, quiet: number): number => base * 2 ** Math.min(2, Math.floor(quiet / 4));

const granted = (r: Round): string[] => [
  ...new Set([...r.verdicts.values()].flatMap((v) => (v.kind === 'grant' ? [v.login] : []))),
];
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/**
 * Whether a comment's text differs from the text first read. Not `updated_at !== created_at`:
 * GitHub sometimes sets those a second apart on a comment never edited.
 */
const edited = (r: Round, c: IssueComment): boolean => r.seen.get(c.id) !== sha256(c.body ?? '');

/** One read of the comments: withdraws vanished or edited approvals, judges new comments. */
async function poll(r: Round, since: string): Promise<GateAnswer | undefined> {
  const read = await r.read<IssueComment>({ since, signal: r.req.signal });
  const reviews = await r.reviews(r.req.signal);
  r.quiet = read.unchanged && reviews.unchanged ? r.quiet + 1 : 0;
  const comments = [...read.items, ...reviews.items];
  for (const c of comments) if (!r.seen.has(c.id)) r.seen.set(c.id, sha256(c.body ?? ''));
  const byId = new Map(comments.map((c) => [c.id, c]));
  for (const [id, v] of r.verdicts) {
    const c = byId.get(id);
    if (v.kind !== 'grant' || (c && !edited(r, c))) continue;
    r.verdicts.set(id, { kind: 'done' });
    await refused(r, v.login, withdrawal(id, c !== undefined), undefined, id < 0 ? 'github-review' : SOURCE);
  }
  for (const c of comments) {
    if (r.verdicts.has(c.id)) continue;
    const outcome = await judge(r, c);
    if (outcome && 'approved' in outcome) return outcome;
    if (outcome) r.verdicts.set(c.id, outcome);
  }
  const approvers = granted(r);
  return approvers.length >= r.req.required ? { approved: true, approvedBy: approvers } : undefined;
}

/** The verdict on one comment; undefined to look again next poll (duplicate approver, failed lookup). */
async function judge(r: Round, c: IssueComment): Promise<Verdict | GateAnswer | undefined> {
  const done: Verdict = { kind: 'done' };
  if (!c.user || c.id === r.requestId) return done;
  const who = normLogin(c.user.login);
  const created = Date.parse(c.created_at);
  // Comment ids only grow, and created_at has one-second resolution: both must say "after". A
  // review's id is of another sequence (negated here): its submitted_at alone decides.
  if (who === r.bot || (c.id > 0 && c.id < r.requestId) || created < r.requestAt) return done;
  const cmd = parseGateCommand(c.body ?? '');
  if (!cmd || cmd.step !== r.req.stepId) return done;
  const approver = `@${c.user.login}`;
  const source = sourceOf(c, SOURCE);
  const refuse = async (reason: string) => (await refused(r, approver, reason, undefined, source), done);
  if (created > r.closesAt) return refuse(`${cmd.kind} posted after the approval timed out (${c.html_url})`);
  if (edited(r, c))
    return refuse(
      `comment was edited after the gate read it; edited comments do not count, post a new one (${c.html_url})`,
    );
  const self = who === normLogin(r.o.initiator);
  if (cmd.kind === 'approve') {
    if (c.review?.state === 'CHANGES_REQUESTED')
      return refuse(`${approver}'s review requests changes: its /approve contradicts it (${c.html_url})`);
    if (self && !r.req.selfApproval)
      return refuse(`${approver} started this run and cannot approve it (selfApproval is false)`);
    const problem = planPrefixProblem(cmd.planPrefix, r.o.planHash, r.o.requirePlanHash === true);
    if (problem) return refuse(problem);
  }
  let allowed;
  try {
    allowed = await r.checker(who);
  } catch (error) {
    r.o.log?.(`approval ${r.req.stepId}: membership check for ${approver} failed: ${(error as Error).message}`);
    return undefined;
  }
  // The initiator may always call off their own run; anyone else needs approver rights.
  if (cmd.kind === 'reject') {
    if (!allowed.allowed && !self) return refuse(`${approver} may not reject: ${allowed.reason}`);
    const reason = `rejected by ${approver}: ${cmd.reason} (${c.html_url})`;
    await refused(r, approver, reason, undefined, source);
    return { approved: false, reason };
  }
  if (!allowed.allowed) return (await refused(r, approver, allowed.reason, allowed.source, source), done);
  if (granted(r).some((g) => normLogin(g) === who)) return undefined;
  const grant: Verdict = { kind: 'grant', login: approver };
  r.verdicts.set(c.id, grant);
  await r.o.events.emit('approval:granted', {
    stepId: r.req.stepId,
    count: granted(r).length,
    required: r.req.required,
    approval: {
      approver,
      source,
      planHash: r.o.planHash,
      at: c.created_at,
      reference: c.html_url,
      via: allowed.via,
      membership: allowed.source,
      textSha256: r.seen.get(c.id),
    },
  });
  return grant;
}

async function refused(
  r: Round,
  approver: string,
  reason: string,
  membership?: MembershipSource,
  source = SOURCE,
): Promise<void> {
  await r.o.events.emit('approval:refused', {
    stepId: r.req.stepId,
    approver,
    source,
    reason,
    ...(membership ? { membership } : {}),
  });
}

/** A short outcome note on the issue for the people watching it; best effort, never fails the gate. */
async function reply(o: CommentGateOptions, body: string): Promise<void> {
  try {
    await o.octokit.issues.createComment({ owner: o.repo.owner, repo: o.repo.repo, issue_number: o.issueNumber, body });
  } catch (error) {
    o.log?.(`could not post the approval outcome on #${o.issueNumber}: ${(error as Error).message}`);
  }
}
