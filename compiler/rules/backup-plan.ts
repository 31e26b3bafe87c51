import { parseDuration } from '../../ir/duration.js';
import type { BackupPlanDocData } from '../model/specs.js';
import type { Rule, RuleContext } from './rule.js';
import type { LoadedDoc } from '../load/loaded-doc.js';

/** What a BackupPlan needs beyond its schema for its lowered graph to be able to run. */
export const backupPlanRule: Rule = {
  id: 'backup-plan',
  codes: ['missing-field', 'invalid-value'],
  docs: 'RDS restore checks connect with verify.url (credentials for the restored instance); without it they cannot run. Retention: archive (monthly compliance copies) must not be shorter than cold; archiveDirectory must differ from directory.',
  check(ctx) {
    for (const { doc, data } of ctx.backupPlans) {
      checkRetention(ctx, doc, data);
      const { verify, targets } = data.spec;
      if (!verify?.checks?.length || verify.url !== undefined) continue;
      if (!targets.some((t) => t.type === 'rds')) continue;
      ctx.report(
        doc,
        '/spec/verify',
        'missing-field',
        'spec.verify: SQL checks on a restored RDS instance need "url" (its credentials; the host is replaced by the restored endpoint)',
        {
          key: true,
          hint: 'add url: "{{secrets.VERIFY_DATABASE_URL}}" and list the secret in spec.secrets',
        },
      );
    }
  },
};

/** The retention model (docs/format-reference.md) needs compliance copies to outlive the others, and two locations. */
function checkRetention(ctx: RuleContext, doc: LoadedDoc, data: BackupPlanDocData): void {
  const r = data.spec.retention ?? {};
  const archive = r.archive === undefined ? undefined : parseDuration(r.archive);
  const keepName = r.cold !== undefined ? 'cold' : 'hot';
  const keep = r[keepName] === undefined ? undefined : parseDuration(r[keepName]!);
  if (archive !== undefined && keep !== undefined && archive < keep) {
    ctx.report(
      doc,
      '/spec/retention/archive',
      'invalid-value',
      `spec.retention.archive (${r.archive}) is shorter than ${keepName} (${r[keepName]}): the monthly compliance copies would go before the others`,
      {
        hint: `archive is how long one backup per month is kept, e.g. 2555d (7 years); it must be at least ${keepName}`,
      },
    );
  }
  data.spec.targets.forEach((t, i) => {
    if (
      t.archiveDirectory === undefined ||
      t.archiveDirectory.replace(/\/+$/, '') !== (t.directory ?? '').replace(/\/+$/, '')
    )
      return;
    ctx.report(
      doc,
      `/spec/targets/${i}/archiveDirectory`,
      'invalid-value',
      `spec.targets[${i}].archiveDirectory is the same as directory: backups past hot would have nowhere to move`,
      {
        hint: 'give the cold/archive location (e.g. a mounted archive bucket), or remove archiveDirectory',
      },
    );
  });
}
