import { DBInstanceNotFoundFault, InvalidDBInstanceStateFault, RDSServiceException } from '@aws-sdk/client-rds';
import { NoSuchHostedZone, PriorRequestNotComplete } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { awsErrorCode, isNotFound, toActionError, type AwsCall } from '../../../executor/aws/errors.js';
import { callerReference } from '../../../executor/actions/aws-route53-create-health-check.js';

const call: AwsCall = {
  service: 'rds',
  operation: 'PromoteReadReplica',
  resource: 'ecommerce-prod-db-replica',
  region: 'us-west-2',
};
const unmodelled = (name: string, fault: 'client' | 'server' = 'client') =>
  new RDSServiceException({ name, $fault: fault, $metadata: {}, message: `${name} happened` });

describe('toActionError', () => {
  it.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded'])(
    '%s stays retryable once the SDK gave up',
    (name) => {
      expect(toActionError(unmodelled(name), call)).toMatchObject({
        retryable: true,
        code: 'throttled',
        providerCode: name.replace(/Exception$/, ''),
      });
    },
  );

  it('PriorRequestNotComplete (Route 53) is throttling', () => {
    expect(
      toActionError(new PriorRequestNotComplete({ message: 'busy', $metadata: {} }), { ...call, service: 'route53' }),
    ).toMatchObject({ retryable: true, code: 'throttled', providerCode: 'PriorRequestNotComplete' });
  });

  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])(
    '%s is not retryable and names the permission',
    (name) => {
      const e = toActionError(unmodelled(name), call);
      expect(e).toMatchObject({
        retryable: false,
        code: 'access-denied',
        providerCode: name.replace(/Exception$/, ''),
      });
      // The message naming the IAM action to grant is the behaviour under test.
      expect(e.message).toContain(
        "rds:PromoteReadReplica on ecommerce-prod-db-replica was denied: check the run's IAM role allows rds:PromoteReadReplica in us-west-2",
      );
    },
  );

  it.each(['InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException'])(
    '%s is not retryable and blames the credentials',
    (name) => {
      expect(toActionError(unmodelled(name), call)).toMatchObject({ retryable: false, code: 'auth-failed' });
    },
  );

  it('names missing resources and invalid states, not retryable', () => {
    const missing = toActionError(
      new DBInstanceNotFoundFault({ message: 'DBInstance x not found', $metadata: {} }),
      call,
    );
    expect(missing).toMatchObject({ retryable: false, code: 'not-found', providerCode: 'DBInstanceNotFound' });
    const state = toActionError(
      new InvalidDBInstanceStateFault({ message: 'not a read replica', $metadata: {} }),
      call,
    );
    expect(state).toMatchObject({ retryable: false, code: 'invalid-state', providerCode: 'InvalidDBInstanceState' });
    const zone = toActionError(new NoSuchHostedZone({ message: 'no zone', $metadata: {} }), {
      service: 'route53',
      operation: 'ChangeResourceRecordSets',
      resource: 'api.example.com CNAME in Z1',
    });
    expect(zone).toMatchObject({ code: 'not-found', providerCode: 'NoSuchHostedZone' });
    // The kind of resource missing, in words, is the behaviour under test.
    expect(zone.message).toBe(
      'route53:ChangeResourceRecordSets on api.example.com CNAME in Z1 failed: hosted zone not found (NoSuchHostedZone: no zone)',
    );
  });

  it('retries server faults and network errors, not other client faults', () => {
    expect(toActionError(unmodelled('InternalFailure', 'server'), call)).toMatchObject({
      retryable: true,
      code: 'provider-error',
      providerCode: 'InternalFailure',
    });
    expect(toActionError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), call)).toMatchObject({
      retryable: true,
      code: 'network',
      providerCode: 'ECONNRESET',
    });
    expect(toActionError(unmodelled('SomethingOdd', 'client'), call)).toMatchObject({
      retryable: false,
      code: 'invalid-request',
      providerCode: 'SomethingOdd',
    });
    expect(toActionError(unmodelled('InvalidParameterValue'), call)).toMatchObject({
      retryable: false,
      code: 'invalid-request',
    });
    expect(toActionError(unmodelled('SnapshotQuotaExceeded'), call)).toMatchObject({ code: 'quota-exceeded' });
    expect(toActionError(unmodelled('DBSnapshotAlreadyExists'), call)).toMatchObject({ code: 'already-exists' });
    const noRegion = toActionError(new Error('Region is missing'), call);
    expect(noRegion).toMatchObject({ retryable: false, code: 'config' });
    expect(noRegion.providerCode).toBeUndefined();
  });

  it('looks through an ActionError to the SDK error it wraps', () => {
    const wrapped = toActionError(new DBInstanceNotFoundFault({ message: 'x', $metadata: {} }), call);
    expect(awsErrorCode(wrapped)).toBe('DBInstanceNotFound');
    expect(isNotFound(wrapped)).toBe(true);
  });
});

describe('callerReference', () => {
  it('stays within the 64 characters Route 53 allows, deterministically', () => {
    const ctx = {
      run: { id: 'r'.repeat(50) } as never,
      step: { id: 'create-health-check-for-api', title: '', attempt: 1 },
    };
    const ref = callerReference({}, ctx);
    expect(ref.length).toBeLessThanOrEqual(64);
    expect(callerReference({}, ctx)).toBe(ref);
  });
});
