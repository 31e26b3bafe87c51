import type { Rule } from './rule.js';

/** What a BackupPlan needs beyond its schema for its lowered graph to be able to run. */
export const backupPlanRule: Rule = {
  id: 'backup-plan',
  codes: ['missing-field'],
  docs: 'RDS restore checks connect with verify.url (credentials for the restored instance); without it they cannot run.',
  check(ctx) {
    for (const { doc, data } of ctx.backupPlans) {
      const { verify, targets } = data.spec;
      if (!verify?.checks?.length || verify.url !== undefined) continue;
      if (!targets.some((t) => t.type === 'rds')) continue;
      ctx.report(doc, '/spec/verify', 'missing-field', 'spec.verify: SQL checks on a restored RDS instance need "url" (its credentials; the host is replaced by the restored endpoint)', {
        key: true, hint: 'add url: "{{secrets.VERIFY_DATABASE_URL}}" and list the secret in spec.secrets',
      });
    }
  },
};
