import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ActionDefinition } from './action.js';
import { parseDuration } from '../../ir/duration.js';
import { ActionError } from '../core/errors.js';
import { maskedPlan } from '../aws/params.js';
import {
  planRetention,
  type BackupEntry,
  type RetentionDecision,
  type RetentionPolicy,
  type RetentionTier,
} from '../retention/plan.js';
import type { FilesPruneBackupsParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { FilesPruneBackupsParams };

/** x-result of files.prune-backups. */
export interface FilesPruneBackupsResult {
  deleted: string[];
  moved: string[];
  kept: string[];
  decisions: RetentionDecision[];
}

/**
 * Applies a BackupPlan's retention to the backup files of a `type: postgres` target: files (pg_dump)
 * or directories (pg_basebackup) named `<target>-<run id>[.dump]` by runs of this plan, in
 * `directory` (hot) and `archiveDirectory` (cold). Past `hot` they move to `archiveDirectory`;
 * past `cold` they are deleted, except one compliance backup per UTC month, kept for `archive`;
 * the newest is always kept. The age is the modification time, which a move keeps. Anything else
 * in the directories is left alone. Idempotent: a file already moved or deleted is not listed again.
 */
export const filesPruneBackupsAction: ActionDefinition<FilesPruneBackupsParams, FilesPruneBackupsResult> = maskedPlan({
  id: 'files.prune-backups',

  async run(params, ctx) {
    const policy = policyOf(params);
    const owned = ownName(params.target, params.plan);
    const entries = [
      ...(await listBackups(params.directory, 'hot', owned)),
      ...(params.archiveDirectory ? await listBackups(params.archiveDirectory, 'cold', owned) : []),
    ];
    const decisions = planRetention(entries, policy, ctx.clock.now(), {
      coldLocation: !!params.archiveDirectory,
      markArchive: false,
    }).filter((d) => d.action !== 'ignore');
    const result: FilesPruneBackupsResult = { deleted: [], moved: [], kept: [], decisions };
    for (const d of decisions) {
      ctx.log.info(`${d.id}: ${d.action} (${d.reason})`);
      if (d.action === 'delete') await rm(d.id, { recursive: true, force: true }).then(() => result.deleted.push(d.id));
      else if (d.action === 'move' && params.archiveDirectory)
        result.moved.push(await moveTo(d.id, params.archiveDirectory));
      else result.kept.push(d.id);
    }
    for (const list of [result.deleted, result.moved, result.kept]) list.sort();
    return result;
  },

  plan(params) {
    const tiers = (['hot', 'cold', 'archive'] as const)
      .filter((t) => params[t])
      .map((t) => `${t} ${params[t]}`)
      .join(', ');
    return {
      summary: `apply retention (${tiers}) to the backups of ${params.target} in ${params.directory}${params.archiveDirectory ? ` and ${params.archiveDirectory}` : ''}`,
      calls: [{ target: `file:${params.directory}`, operation: 'prune', args: { ...params } }],
    };
  },
});

/** `<target>-<run id of this plan>` with an optional `.dump`: the names the lowered backup step writes. */
function ownName(target: string, plan: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc(target)}-\\d{8}-\\d{6}-${esc(plan)}-[0-9a-f]{4}(\\.dump)?$`);
}

async function listBackups(dir: string, tier: RetentionTier, owned: RegExp): Promise<BackupEntry[]> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
  const out: BackupEntry[] = [];
  for (const name of names.sort()) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s) out.push({ id: join(dir, name), createdAt: s.mtimeMs, tier, complete: true, owned: owned.test(name) });
  }
  return out;
}

/** rename, or copy then remove across file systems (EXDEV); the modification time is kept either way. */
async function moveTo(path: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const dest = join(dir, basename(path));
  try {
    await rename(path, dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(path, dest, { recursive: true, preserveTimestamps: true, force: true });
    await rm(path, { recursive: true, force: true });
  }
  return dest;
}

function policyOf(params: FilesPruneBackupsParams): RetentionPolicy {
  const read = (name: 'hot' | 'cold' | 'archive') => {
    const v = params[name];
    if (v === undefined || v === '') return undefined;
    const ms = parseDuration(String(v).trim());
    if (ms === undefined)
      throw new ActionError(`\`${name}\` must be a duration like 30d, got ${JSON.stringify(v)}`, {
        code: 'bad-params',
      });
    return ms;
  };
  const policy = { hot: read('hot'), cold: read('cold'), archive: read('archive') };
  if (Object.values(policy).every((v) => v === undefined))
    throw new ActionError('give `hot`, `cold` and/or `archive`', { code: 'bad-params' });
  return policy;
}
