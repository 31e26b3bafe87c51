import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsRoute53CreateHealthCheckAction } from '../../../executor/actions/aws-route53-create-health-check.js';
import { awsRoute53GetRecordAction } from '../../../executor/actions/aws-route53-get-record.js';
import { awsRoute53UpsertRecordAction } from '../../../executor/actions/aws-route53-upsert-record.js';
import { setAwsClientFactory } from '../../../executor/aws/clients.js';
import { setAwsWaiterTiming } from '../../../executor/aws/waiters.js';
import { ActionError } from '../../../executor/core/errors.js';
import { fakeContext } from './context.js';

const r53 = mockClient(Route53Client);
const ZONE = 'Z1234567890ABC';
const cname = (name: string, value: string, ttl = 300): ResourceRecordSet => ({
  Name: name,
  Type: 'CNAME',
  TTL: ttl,
  ResourceRecords: [{ Value: value }],
});
const listing = (...sets: ResourceRecordSet[]) => ({ ResourceRecordSets: sets, IsTruncated: false, MaxItems: 1 });
const change = (status: 'PENDING' | 'INSYNC') => ({
  ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: status, SubmittedAt: new Date() },
});
const params = {
  hostedZoneId: ZONE,
  name: 'api.example.com',
  type: 'CNAME',
  ttl: 60,
  value: 'dr-alb.us-west-2.elb.amazonaws.com',
};

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

beforeEach(() => {
  r53.reset();
  setAwsClientFactory();
  // Fast polls; the wait bound only ends a test that would fail anyway, so it is generous.
  setAwsWaiterTiming({ route53: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 60 } });
});
afterEach(() => setAwsWaiterTiming());

describe('aws.route53.upsert-record', () => {
  it('returns the previous value and TTL, UPSERTs, and waits until the change is INSYNC', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolves(listing(cname('api.example.com.', 'primary-alb.us-east-1.elb.amazonaws.com')));
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('PENDING'));
    r53.on(GetChangeCommand).resolvesOnce(change('PENDING')).resolvesOnce(change('PENDING')).resolves(change('INSYNC'));

    const result = await awsRoute53UpsertRecordAction.run(params, fakeContext({ stepId: 'switch-dns' }));

    expect(result).toEqual({
      previousValue: 'primary-alb.us-east-1.elb.amazonaws.com',
      previousTtl: 300,
      previousAliasTarget: null,
      changeId: 'C2682N5HXP0BZ4',
      status: 'INSYNC',
    });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: ZONE,
      StartRecordName: 'api.example.com.',
      StartRecordType: 'CNAME',
      MaxItems: 1,
    });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: ZONE,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'api.example.com.',
              Type: 'CNAME',
              TTL: 60,
              ResourceRecords: [{ Value: params.value }],
            },
          },
        ],
      },
    });
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(3);
    expect(r53.commandCalls(GetChangeCommand)[0].args[0].input).toEqual({ Id: 'C2682N5HXP0BZ4' });
  });

  it('returns previousValue null when the record did not exist (the listing starts at the next record)', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ...listing(cname('www.example.com.', 'x')),
      IsTruncated: true,
      NextRecordName: 'zz.example.com.',
      NextRecordType: 'A',
    });
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('PENDING'));

    const result = await awsRoute53UpsertRecordAction.run({ ...params, wait: false }, fakeContext());

    expect(result).toMatchObject({ previousValue: null, previousTtl: null, status: 'PENDING' });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(0);
  });

  it('handles several values, and the octal escapes and case of Route 53 names', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(
      listing({
        Name: '\\052.Example.com.',
        Type: 'A',
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.1' }, { Value: '10.0.0.2' }],
      }),
    );
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('INSYNC'));

    const result = await awsRoute53UpsertRecordAction.run(
      { hostedZoneId: ZONE, name: '*.example.com', type: 'A', value: ['10.1.0.1', '10.1.0.2'] },
      fakeContext(),
    );

    expect(result).toMatchObject({ previousValue: ['10.0.0.1', '10.0.0.2'], previousTtl: 60, status: 'INSYNC' });
    const rrs = r53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes?.[0]
      .ResourceRecordSet;
    expect(rrs).toEqual({
      Name: '*.example.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: [{ Value: '10.1.0.1' }, { Value: '10.1.0.2' }],
    });
  });

  it('sends names as Route 53 stores them: lower case, with the final dot', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(listing());
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('INSYNC'));

    await awsRoute53UpsertRecordAction.run({ ...params, name: 'API.Example.COM' }, fakeContext());

    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input.StartRecordName).toBe('api.example.com.');
    expect(
      r53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes?.[0].ResourceRecordSet
        ?.Name,
    ).toBe('api.example.com.');
  });

  it('keeps the original previousValue when a retry finds its own earlier UPSERT applied', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(listing(cname('api.example.com.', 'primary', 60)))
      .resolves(listing(cname('api.example.com.', params.value, 60)));
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('PENDING'));
    r53.on(GetChangeCommand).resolves(change('PENDING'));
    setAwsWaiterTiming({ route53: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.2 } });
    const first = await failure(
      awsRoute53UpsertRecordAction.run(params, fakeContext({ runId: 'run-memo', stepId: 'switch-dns' })),
    );
    expect(first).toMatchObject({ retryable: true, code: 'wait-timeout' });

    const second = await awsRoute53UpsertRecordAction.run(
      { ...params, wait: false },
      fakeContext({ runId: 'run-memo', stepId: 'switch-dns', attempt: 2 }),
    );
    expect(second.previousValue).toBe('primary');
  });

  it('journals what it read before the UPSERT, and a later attempt uses the journaled record only when the UPSERT applied', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(listing(cname('api.example.com.', params.value, 60)));
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('INSYNC'));
    const saved: Record<string, unknown>[] = [];
    const journaled = {
      record: 'api.example.com. CNAME in Z1234567890ABC',
      previous: cname('api.example.com.', 'primary'),
      desired: '',
    };
    const ctx = (desired: string) => ({
      ...fakeContext({ stepId: 'switch-dns', attempt: 2 }),
      rollbackData: {
        journaled: { ...journaled, desired },
        save: async (d: Record<string, unknown>) => {
          // Journal first: nothing was changed yet when the data is saved.
          expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(saved.length);
          saved.push(d);
        },
      },
    });
    // The record already holds what the step writes: the earlier attempt's UPSERT applied.
    const applied = await awsRoute53UpsertRecordAction.run(params, ctx(JSON.stringify([60, [params.value], null])));
    expect(applied.previousValue).toBe('primary');
    expect(saved[0]).toMatchObject({ previous: { ResourceRecords: [{ Value: 'primary' }] } });
    // Journaled for another change (it does not match what the step writes): the record read now is the previous one.
    const other = await awsRoute53UpsertRecordAction.run(params, ctx('something else'));
    expect(other.previousValue).toBe(params.value);
  });

  it('alias targets are written without TTL', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(listing());
    r53.on(ChangeResourceRecordSetsCommand).resolves(change('INSYNC'));
    await awsRoute53UpsertRecordAction.run(
      {
        hostedZoneId: ZONE,
        name: 'api.example.com',
        type: 'A',
        aliasTarget: {
          hostedZoneId: 'Z35SXDOTRQ7X7K',
          dnsName: 'dr-alb.elb.amazonaws.com',
          evaluateTargetHealth: 'true',
        },
      },
      fakeContext(),
    );
    const rrs = r53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes?.[0]
      .ResourceRecordSet;
    expect(rrs).toEqual({
      Name: 'api.example.com.',
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'dr-alb.elb.amazonaws.com', EvaluateTargetHealth: true },
    });
  });

  it('refuses an empty value (a rollback of a record that did not exist) before any write', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(listing());
    const error = await failure(awsRoute53UpsertRecordAction.run({ ...params, value: '' }, fakeContext()));
    expect(error).toMatchObject({ retryable: false, code: 'bad-params' });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('reports InvalidChangeBatch and NoSuchHostedZone clearly, not retryable', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(listing());
    r53.on(ChangeResourceRecordSetsCommand).rejects(
      new InvalidChangeBatch({
        message: 'RRSet of type CNAME with DNS name api.example.com. is not permitted at apex',
        $metadata: {},
      }),
    );
    const invalid = await failure(awsRoute53UpsertRecordAction.run(params, fakeContext()));
    expect(invalid).toMatchObject({ retryable: false, code: 'invalid-request', providerCode: 'InvalidChangeBatch' });

    r53
      .on(ListResourceRecordSetsCommand)
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z1234567890ABC', $metadata: {} }));
    const zone = await failure(awsRoute53UpsertRecordAction.run(params, fakeContext()));
    expect(zone).toMatchObject({ retryable: false, code: 'not-found', providerCode: 'NoSuchHostedZone' });
  });
});

describe('aws.route53.get-record and create-health-check', () => {
  it('get-record reports an alias record and an absent one', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(
        listing({
          Name: 'api.example.com.',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z35', DNSName: 'alb.', EvaluateTargetHealth: false },
        }),
      )
      .resolves(listing());
    const alias = await awsRoute53GetRecordAction.run(
      { hostedZoneId: ZONE, name: 'api.example.com', type: 'A' },
      fakeContext(),
    );
    expect(alias).toEqual({
      exists: true,
      value: null,
      values: [],
      ttl: null,
      aliasTarget: { hostedZoneId: 'Z35', dnsName: 'alb.', evaluateTargetHealth: false },
    });
    const absent = await awsRoute53GetRecordAction.run(
      { hostedZoneId: ZONE, name: 'api.example.com', type: 'A' },
      fakeContext(),
    );
    expect(absent).toEqual({ exists: false, value: null, values: [], ttl: null, aliasTarget: null });
  });

  it('get-record pages through a weighted set to find its set identifier', async () => {
    const weighted = (id: string, value: string): ResourceRecordSet => ({
      ...cname('api.example.com.', value),
      SetIdentifier: id,
      Weight: 50,
    });
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [weighted('blue', 'b')],
        IsTruncated: true,
        NextRecordName: 'api.example.com.',
        NextRecordType: 'CNAME',
        NextRecordIdentifier: 'green',
        MaxItems: 100,
      })
      .resolves(listing(weighted('green', 'g')));
    const result = await awsRoute53GetRecordAction.run(
      { hostedZoneId: ZONE, name: 'api.example.com', type: 'CNAME', setIdentifier: 'green' },
      fakeContext(),
    );
    expect(result).toMatchObject({ exists: true, value: 'g' });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[1].args[0].input).toMatchObject({
      StartRecordIdentifier: 'green',
    });
  });

  it('create-health-check uses <run id>-<step id> as caller reference and tags the check', async () => {
    r53.on(CreateHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc-1',
        CallerReference: 'run-42-hc',
        HealthCheckConfig: { Type: 'HTTPS' },
        HealthCheckVersion: 1,
      },
      Location: 'x',
    });
    r53.on(ChangeTagsForResourceCommand).resolves({});
    const result = await awsRoute53CreateHealthCheckAction.run(
      {
        type: 'HTTPS',
        fullyQualifiedDomainName: 'api.example.com',
        resourcePath: '/health',
        port: '443',
        tags: { Name: 'api-dr' },
      },
      fakeContext({ stepId: 'hc' }),
    );
    expect(result).toEqual({ healthCheckId: 'hc-1', callerReference: 'run-42-hc' });
    expect(r53.commandCalls(CreateHealthCheckCommand)[0].args[0].input).toEqual({
      CallerReference: 'run-42-hc',
      HealthCheckConfig: {
        Type: 'HTTPS',
        FullyQualifiedDomainName: 'api.example.com',
        ResourcePath: '/health',
        Port: 443,
      },
    });
    expect(r53.commandCalls(ChangeTagsForResourceCommand)[0].args[0].input).toEqual({
      ResourceType: 'healthcheck',
      ResourceId: 'hc-1',
      AddTags: [{ Key: 'Name', Value: 'api-dr' }],
    });
  });
});
