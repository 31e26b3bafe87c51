import type pg from 'pg';

/**
 * A new pg Client, the driver imported on first use: a run without an audit database or a
 * `postgres.*` step never opens a connection, and must not load pg (some 30 modules) to start.
 */
export async function newPgClient(config: pg.ClientConfig): Promise<pg.Client> {
  const { default: driver } = await import('pg');
  return new driver.Client(config);
}
