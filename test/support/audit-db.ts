import pg from 'pg';
import { defaultAuditRoles, setupAuditDb } from '../../executor/audit/db-setup.js';
import type { PgCluster } from '../../executor/pg/cluster.js';

/**
 * A fresh database on `cluster`, set up as the README recommends: `runbook audit db-setup` by the
 * administrator, then `login` (an existing LOGIN role) made a member of the writer role. Returns
 * the administrator's URL and the writer's, which runs use (INSERT and SELECT only).
 */
export async function newAuditDatabase(
  cluster: PgCluster,
  name: string,
  login: { user: string; password: string },
): Promise<{ admin: string; writer: string }> {
  await query(cluster.primaryUrl, `CREATE DATABASE ${name}`);
  const admin = new URL(cluster.primaryUrl);
  admin.pathname = `/${name}`;
  await setupAuditDb(admin.toString(), defaultAuditRoles);
  await query(admin.toString(), `GRANT ${defaultAuditRoles.writer} TO ${login.user}`);
  const writer = new URL(admin);
  writer.username = login.user;
  writer.password = login.password;
  return { admin: admin.toString(), writer: writer.toString() };
}

/** One statement on its own connection. */
export async function query(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
