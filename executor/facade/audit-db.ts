// The executor as `runbook audit db setup|sync` (and plan's audit database warnings) see it: the
// audit database's roles, preflight and schema sync. Loaded only with those commands; it loads pg.
export { RunRefused } from '../core/errors.js';
export { inspectOrRefuse, redactUrl } from '../audit/db-preflight.js';
export { ownerRoleWarning } from '../audit/db-role-check.js';
export { checkRoleName, defaultAuditRoles, setupAuditDb } from '../audit/db-setup.js';
export { syncAuditDb } from '../audit/db-sync.js';
