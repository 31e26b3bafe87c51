import { readFileSync, statSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { RunRefused } from '../core/errors.js';
import type { RunMode } from '../../ir/plan-hash.js';
import type { ApprovalClaim } from './policy.js';

/**
 * The non-interactive way to approve, for drills and CI: a YAML/JSON file of claims, each naming
 * the approver, the step (or `*`) and the plan hash printed by `runbook plan`. The policy is
 * enforced on every claim exactly as for a person at a terminal. A claim carrying `signature`
 * (written by `runbook approve`) is verified against the approver's keys in the Directory; one
 * without is unsigned, and counts only where the gate says `allowUnsigned: true`.
 *
 * ```yaml
 * approvals:
 *   - { step: approve-failover, approver: "@dana-lee", planHash: 3f2a…, mode: live,
 *       signature: "-----BEGIN SSH SIGNATURE-----\n…\n-----END SSH SIGNATURE-----\n" }
 * confirmations:
 *   by: "@dana-lee"          # confirms manual steps and checklist items
 * ```
 */
export interface ApprovalsFile {
  readonly approvals: ApprovalClaim[];
  readonly confirmBy?: string;
}

/** Claims for a handful of gates fit in a few KiB; a bigger file is a mistake or an attack on the parser. */
export const maxApprovalsFileBytes = 64 * 1024;

const modes: readonly RunMode[] = ['live', 'drill', 'dry-run'];
/** An armoured SSHSIG (ssh-keygen -Y sign): base64 lines between the two markers, nothing else. */
const armoured = /^-----BEGIN SSH SIGNATURE-----\r?\n(?:[A-Za-z0-9+/=]+\r?\n)+-----END SSH SIGNATURE-----\r?\n?$/;

/**
 * An approvals file that cannot be used. The run is refused, and the refusal audited, with the
 * file and the position (line and column) of the problem; never an excerpt of the file, which
 * could hold anything an operator pasted.
 */
export class ApprovalsFileError extends RunRefused {
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`approvals file ${file}: ${problem}`, 'fix the file, or write entries with `runbook approve`', options);
  }
}

/** Reads and checks an approvals file; throws ApprovalsFileError (a RunRefused) when it cannot be used. */
export function readApprovalsFile(path: string): ApprovalsFile {
  const text = readText(path);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return '';
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}: `;
  };
  const syntax = doc.errors[0];
  if (syntax) throw new ApprovalsFileError(path, `${at(syntax.pos[0])}not valid YAML or JSON (${syntax.code})`);
  const root = doc.contents;
  if (root !== null && !isMap(root))
    throw new ApprovalsFileError(path, `${at(root.range?.[0])}expected a mapping with "approvals"`);
  const list = isMap(root) ? (root.get('approvals', true) as YamlNode | undefined) : undefined;
  if (list !== undefined && list !== null && !isSeq(list))
    throw new ApprovalsFileError(path, `${at(list.range?.[0])}"approvals" must be a list`);
  let data: { approvals?: unknown[]; confirmations?: { by?: unknown } } | null;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as typeof data;
  } catch (e) {
    throw new ApprovalsFileError(path, `cannot be expanded (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const approvals = (isSeq(list) ? list.items : []).map((item, i) => {
    const where = `${at((item as YamlNode | null)?.range?.[0])}entry ${i + 1}`;
    return claimOf(data?.approvals?.[i], (problem) => new ApprovalsFileError(path, `${where} ${problem}`));
  });
  const by = data?.confirmations?.by;
  return { approvals, ...(typeof by === 'string' ? { confirmBy: by } : {}) };
}

function readText(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > maxApprovalsFileBytes)
      throw new ApprovalsFileError(path, `${size} bytes, more than the limit of ${maxApprovalsFileBytes}`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ApprovalsFileError) throw e;
    throw new ApprovalsFileError(
      path,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { cause: e },
    );
  }
}

function claimOf(value: unknown, fail: (problem: string) => ApprovalsFileError): ApprovalClaim {
  const c = (value ?? {}) as Record<string, unknown>;
  if (typeof c !== 'object' || typeof c.approver !== 'string' || typeof c.planHash !== 'string')
    throw fail('needs "approver" and "planHash"');
  if (c.step !== undefined && typeof c.step !== 'string') throw fail('has a "step" that is not text');
  if (c.mode !== undefined && !modes.includes(c.mode as RunMode))
    throw fail(`has an unknown "mode"; expected one of ${modes.join(', ')}`); // the value is not echoed: it could be anything pasted
  if (c.signature !== undefined && (typeof c.signature !== 'string' || !armoured.test(c.signature)))
    throw fail('has a "signature" that is not an armoured SSH signature (ssh-keygen -Y sign)');
  return {
    approver: c.approver,
    planHash: c.planHash,
    step: typeof c.step === 'string' ? c.step : '*',
    ...(c.mode !== undefined ? { mode: c.mode as RunMode } : {}),
    ...(typeof c.signature === 'string' ? { signature: c.signature } : {}),
  };
}
