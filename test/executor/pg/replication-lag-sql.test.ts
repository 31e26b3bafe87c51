import { describe, expect, it } from 'vitest';
import { walReceiverName } from '../../../executor/pg/replication-lag-sql.js';

/** pg_stat_wal_receiver.conninfo as PostgreSQL 15 shows it (password obfuscated). */
const conninfo = (extra: string) =>
  `user=postgres password=******** channel_binding=prefer dbname=replication host=127.0.0.1 port=5432 ${extra} sslmode=prefer`;

describe('walReceiverName: the name pg_stat_replication shows for a standby', () => {
  it('takes application_name over the fallback', () => {
    expect(walReceiverName(conninfo('application_name=standby fallback_application_name=walreceiver'))).toBe('standby');
  });

  it('uses fallback_application_name (cluster_name or walreceiver) when no application_name is set', () => {
    expect(walReceiverName(conninfo('fallback_application_name=walreceiver'))).toBe('walreceiver');
  });

  it('unquotes values with spaces and escapes', () => {
    expect(walReceiverName(conninfo("application_name='dr replica \\'b\\''"))).toBe("dr replica 'b'");
  });

  it('does not mistake fallback_application_name for application_name', () => {
    expect(walReceiverName('fallback_application_name=x')).toBe('x');
  });

  it('is null without a WAL receiver (a role that may not read it, or no streaming)', () => {
    expect(walReceiverName(null)).toBeNull();
    expect(walReceiverName('host=127.0.0.1')).toBeNull();
  });
});
