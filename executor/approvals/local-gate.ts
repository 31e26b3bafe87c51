import { createInterface } from 'node:readline/promises';
import type { ApprovalGate, Confirmer } from '../actions/action.js';
import type { EventSink } from '../core/events.js';
import { promptSafe } from '../../ir/handle.js';
import type { RunMode } from '../../ir/plan-hash.js';
import { judgeClaim, type ApprovalClaim, type ApprovalPolicy } from './policy.js';
import type { SignatureVerifier } from './signature-verifier.js';
import { authenticateClaim } from './verify-claim.js';

export interface LocalGateOptions {
  readonly initiator: string;
  readonly planHash: string;
  readonly members: Readonly<Record<string, readonly string[]>>;
  readonly claims: readonly ApprovalClaim[];
  /** The run's mode, part of what a signed approval covers. */
  readonly mode: RunMode;
  /** Normalised login → public keys from the Directory (graph.resources.signers). */
  readonly signers: Readonly<Record<string, readonly string[]>>;
  readonly verifier: SignatureVerifier;
  readonly events: EventSink;
  /** Ask at the terminal when the claims are not enough (only on a TTY). */
  readonly interactive: boolean;
  readonly now?: () => Date;
}

/**
 * Approvals without GitHub: claims from the approvals file first, then (on a TTY) people typing
 * their handle and `yes`. Every grant and every refusal is audited with the approver's identity.
 */
export function localApprovalGate(o: LocalGateOptions): ApprovalGate {
  return {
    async request(req) {
      await o.events.emit('approval:requested', {
        stepId: req.stepId,
        approvers: req.approvers,
        required: req.required,
        message: req.message,
      });
      const policy: ApprovalPolicy = {
        approvers: req.approvers,
        required: req.required,
        selfApproval: req.selfApproval,
        allowUnsigned: req.allowUnsigned === true,
      };
      const t: Tally = { o, req, policy, granted: new Set<string>() };
      for (const claim of o.claims.filter((c) => c.step === req.stepId || c.step === '*')) {
        if (t.granted.size >= req.required) break;
        await consider(t, claim, 'approvals-file');
      }
      await askAtTerminal(t);
      return outcome(t);
    },
  };
}

type ApprovalRequest = Parameters<ApprovalGate['request']>[0];

/** One request: the policy its claims are judged by, and the people granted so far. */
interface Tally {
  readonly o: LocalGateOptions;
  readonly req: ApprovalRequest;
  readonly policy: ApprovalPolicy;
  readonly granted: Set<string>;
}

/** Judges one claim and audits the grant or the refusal; returns the refusal's reason. */
async function consider(t: Tally, claim: ApprovalClaim, source: string): Promise<string | undefined> {
  const { o, req, granted } = t;
  const reason = await judge(t, claim);
  if (typeof reason === 'string') {
    await o.events.emit('approval:refused', { stepId: req.stepId, approver: claim.approver, source, reason });
    return reason;
  }
  granted.add(reason.login);
  await o.events.emit('approval:granted', {
    stepId: req.stepId,
    count: granted.size,
    required: req.required,
    approval: {
      approver: claim.approver,
      source,
      planHash: claim.planHash,
      at: (o.now?.() ?? new Date()).toISOString(),
      verified: reason.verified,
      ...('key' in reason && reason.key ? { key: reason.key } : {}),
    },
  });
  return undefined;
}

/** The policy first (cheap, no process), then one person once, then the signature. */
async function judge({ o, req, policy, granted }: Tally, claim: ApprovalClaim) {
  const verdict = judgeClaim({
    claim,
    stepId: req.stepId,
    policy,
    initiator: o.initiator,
    planHash: o.planHash,
    members: o.members,
  });
  if ('reason' in verdict) return verdict.reason;
  // One person counts once, however the handle is written (@Dana-Lee, dana-lee).
  if (granted.has(verdict.login)) return `${claim.approver} already approved (a person counts once)`;
  const auth = await authenticateClaim({
    claim,
    login: verdict.login,
    policy,
    planHash: o.planHash,
    mode: o.mode,
    signers: o.signers,
    verifier: o.verifier,
  });
  return 'reason' in auth ? auth.reason : { login: verdict.login, ...auth };
}

/** When the claims are not enough, on a TTY: asks people at the terminal (unsigned approvals only). */
async function askAtTerminal(t: Tally): Promise<void> {
  const { o, req, policy, granted } = t;
  if (granted.size >= req.required || !o.interactive) return;
  // A terminal answer is never signed: ask only where unsigned approvals may count.
  if (!policy.allowUnsigned) {
    process.stderr.write(
      `\n🔐 ${promptSafe(req.stepId)} accepts only signed approvals: add them to an approvals file with \`runbook approve\`\n`,
    );
    return;
  }
  const declined = (approver: string) =>
    o.events.emit('approval:refused', {
      stepId: req.stepId,
      approver,
      source: 'local-prompt',
      reason: 'declined at the terminal',
    });
  await promptApprovals(req, granted, (claim, source) => consider(t, claim, source), declined, o.planHash);
}

/** Approved with enough grants; otherwise refused, and the refusal audited. */
async function outcome({ o, req, granted }: Tally): ReturnType<ApprovalGate['request']> {
  if (granted.size >= req.required) return { approved: true, approvedBy: [...granted].map((login) => `@${login}`) };
  const reason = `${req.required} approval(s) required from ${req.approvers.join(', ') || 'nobody (no approvers listed)'}, ${granted.size} valid`;
  await o.events.emit('approval:refused', {
    stepId: req.stepId,
    source: o.interactive ? 'local-prompt' : 'approvals-file',
    reason,
  });
  return { approved: false, reason };
}

async function promptApprovals(
  req: ApprovalRequest,
  granted: Set<string>,
  consider: (c: ApprovalClaim, source: string) => Promise<string | undefined>,
  declined: (who: string) => Promise<void>,
  planHash: string,
): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Inputs reach the message: escape codes in them must not rewrite the question on screen.
    process.stderr.write(
      `\n🔐 Approval needed for ${promptSafe(req.stepId)}: ${promptSafe(req.message)}\n   plan ${planHash.slice(0, 12)} · ${req.required} of ${promptSafe(req.approvers.join(', ')) || 'nobody'}\n`,
    );
    while (granted.size < req.required && !req.signal.aborted) {
      const who = (await rl.question('   approver (GitHub handle, empty to stop): ', { signal: req.signal })).trim();
      if (!who) break;
      const answer = (
        await rl.question(`   ${promptSafe(who)}, approve "${promptSafe(req.stepId)}"? [yes/no] `, {
          signal: req.signal,
        })
      )
        .trim()
        .toLowerCase();
      if (answer !== 'yes' && answer !== 'y') {
        // A person saying no is a refusal like any other: audited, with who said it.
        await declined(who);
        continue;
      }
      // Say at once whether it counted: the person at the keyboard must know.
      const refused = await consider({ approver: who, planHash, step: req.stepId }, 'local-prompt');
      process.stderr.write(
        refused
          ? `   ✖ not counted: ${promptSafe(refused)}\n`
          : `   ✔ approved by ${promptSafe(who)} (${granted.size}/${req.required})\n`,
      );
    }
  } catch {
    // Aborted (timeout or cancel): the caller reports what was granted so far.
  } finally {
    rl.close();
  }
}

/** Confirmations for manual steps and checklist items: a named confirmer (non-interactive) or the terminal. */
export function localConfirmer(o: { confirmBy?: string; interactive: boolean }): Confirmer {
  return {
    async confirm(req) {
      if (o.confirmBy)
        return {
          confirmed: true,
          by: o.confirmBy,
          ...(req.evidence ? { evidence: `confirmed non-interactively by ${o.confirmBy}` } : {}),
        };
      if (!o.interactive) return { confirmed: false, by: '' };
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        process.stderr.write(
          `\n☐ ${req.stepId}: ${req.question}${req.assignee ? ` (assignee: ${req.assignee})` : ''}\n`,
        );
        const by = (await rl.question('   your GitHub handle: ', { signal: req.signal })).trim();
        const ok = (await rl.question('   done? [yes/no] ', { signal: req.signal }))
          .trim()
          .toLowerCase()
          .startsWith('y');
        const evidence =
          ok && req.evidence
            ? (await rl.question('   evidence (link or note): ', { signal: req.signal })).trim()
            : undefined;
        return { confirmed: ok && !!by && (!req.evidence || !!evidence), by, ...(evidence ? { evidence } : {}) };
      } catch {
        return { confirmed: false, by: '' };
      } finally {
        rl.close();
      }
    },
  };
}
