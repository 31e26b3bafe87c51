import { describe, expect, it } from 'vitest';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { toActionError } from '../../../executor/pg/errors.js';

const where = 'postgres://app@db:5432/postgres';
const pgError = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });
const map = (e: unknown) => toActionError(e, where, new SecretMasker([]), 'pw-not-used');

describe('PostgreSQL errors become action error codes, the SQLSTATE a provider code', () => {
  it.each([
    ['42601', 'syntax error at or near "x"', 'sql-error', false],
    ['40001', 'could not serialize access', 'sql-error', true],
    ['57014', 'canceling statement due to statement timeout', 'sql-error', true],
    ['25006', 'cannot execute INSERT in a read-only transaction', 'sql-error', false],
    ['28P01', 'password authentication failed for user "app"', 'auth-failed', false],
    ['28000', 'no pg_hba.conf entry for host', 'auth-failed', false],
    ['42501', 'permission denied for table t', 'access-denied', false],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', 'network', true],
  ])('%s (%s) is %s', (sqlState, message, code, retryable) => {
    expect(map(pgError(sqlState, message))).toMatchObject({ code, retryable, providerCode: sqlState });
  });

  it('classifies the client errors that have no code', () => {
    expect(map(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'))).toMatchObject({
      code: 'auth-failed',
      retryable: false,
    });
    expect(map(pgError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'))).toMatchObject({
      code: 'config',
      retryable: false,
      providerCode: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const cut = map(new Error('Connection terminated unexpectedly'));
    expect(cut).toMatchObject({ code: 'network', retryable: true });
    expect(cut.providerCode).toBeUndefined();
  });
});
