import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';
import { personLogin, teamHandle } from '../../ir/handle.js';
import type { RunMode } from '../../ir/plan-hash.js';
import { RunRefused } from '../core/errors.js';
import { approvalMessage, approvalNamespace } from './approval-message.js';
import { readApprovalsFile } from './approvals-file.js';
import type { ApprovalClaim } from './policy.js';
import { runSshKeygen } from './ssh-keygen.js';

export interface SignApprovalOptions {
  readonly planHash: string;
  readonly step: string;
  readonly approver: string;
  readonly mode: RunMode;
  /** The private key, or its `.pub` when the private key is in ssh-agent (ssh-keygen(1), `-Y sign`). */
  readonly keyFile: string;
}

/**
 * Signs one approval with the approver's SSH key: `ssh-keygen -Y sign -f KEY -n runbook-approval`
 * over approvalMessage(…) on stdin, as git signs commits with `gpg.format=ssh`. The private key
 * stays with ssh-keygen (and the agent); only the armoured signature comes back. A passphrase is
 * asked on the terminal by ssh-keygen itself.
 */
export async function signApproval(o: SignApprovalOptions): Promise<ApprovalClaim & { signature: string }> {
  if (!/^[0-9a-f]{64}$/.test(o.planHash))
    throw new RunRefused(
      `--plan must be the 64-hex-digit plan hash printed by \`runbook plan\`, got ${JSON.stringify(o.planHash)}`,
    );
  if (o.step !== '*' && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(o.step))
    throw new RunRefused(`--step must be a step id or *, got ${JSON.stringify(o.step)}`);
  if (teamHandle(o.approver)) throw new RunRefused(`${o.approver} is a team: only a person can approve`);
  const login = personLogin(o.approver);
  if (!login) throw new RunRefused(`${JSON.stringify(o.approver)} is not a GitHub login`);
  const message = approvalMessage({ planHash: o.planHash, step: o.step, login, mode: o.mode });
  const r = await runSshKeygen(['-Y', 'sign', '-f', o.keyFile, '-n', approvalNamespace], message, {
    interactive: true,
  });
  if (r.code !== 0 || !r.stdout.includes('-----BEGIN SSH SIGNATURE-----')) {
    throw new RunRefused(
      `ssh-keygen -Y sign failed (exit ${r.code}) with key ${o.keyFile}`,
      'is the key readable, or the matching private key loaded in ssh-agent?',
    );
  }
  return { approver: `@${login}`, planHash: o.planHash, step: o.step, mode: o.mode, signature: r.stdout };
}

/**
 * Appends a claim to an approvals file (created when missing), keeping what is there (comments
 * included), then reads the result back with the executor's own reader so a file that the run
 * would refuse is never written. Written to a temporary file and renamed: a crash leaves the old
 * file or the new one, never half of one.
 */
export function appendApproval(path: string, claim: ApprovalClaim): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text) readApprovalsFile(path); // an unusable file is reported with its position, not extended
  let doc = parseDocument(text);
  // Empty, or only comments: start the list after what is there.
  if (doc.contents === null) doc = parseDocument(`${text}${text && !text.endsWith('\n') ? '\n' : ''}approvals:\n`);
  if (!isMap(doc.contents)) throw new RunRefused(`approvals file ${path}: expected a mapping with "approvals"`);
  if (doc.get('approvals') == null) doc.set('approvals', doc.createNode([]));
  const list = doc.get('approvals', true);
  if (!isSeq(list)) throw new RunRefused(`approvals file ${path}: "approvals" must be a list`);
  list.items.push(doc.createNode({ ...claim }));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  try {
    readApprovalsFile(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
