/**
 * The plan's warning about the audit database role, when one is configured; never fails the plan.
 * Its own module, importing the audit database code (and so pg) only when a URL is given: `runbook
 * plan` without one loads neither pg nor the audit commands (whose module loads Octokit).
 */
export async function auditDbPlanWarnings(url: string | undefined, ci: boolean): Promise<string[]> {
  if (!url) return [];
  try {
    const { inspectOrRefuse, ownerRoleWarning } = await import('../../executor/facade/audit-db.js');
    const report = await inspectOrRefuse(url);
    if (!report.tableExists)
      return [
        'the audit table runbook_audit does not exist: a run will refuse; run `runbook audit db-setup --audit-db URL` as an administrator',
      ];
    if (!report.powers.length) return [];
    return [`${ownerRoleWarning(report)}${ci ? '; under CI the run will refuse' : '; under CI a run refuses'}`];
  } catch (e) {
    return [`could not check the audit database: ${(e as Error).message}`];
  }
}
