import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsRdsDeleteDbInstanceAction } from '../../../executor/actions/aws-rds-delete-db-instance.js';
import { awsRdsDescribeDbInstanceAction } from '../../../executor/actions/aws-rds-describe-db-instance.js';
import { awsRdsWaitAvailableAction } from '../../../executor/actions/aws-rds-wait-available.js';
import { awsRoute53UpsertRecordAction } from '../../../executor/actions/aws-route53-upsert-record.js';
import { setAwsClientFactory } from '../../../executor/aws/clients.js';
import { setAwsWaiterTiming } from '../../../executor/aws/waiters.js';
import { ActionError } from '../../../executor/core/errors.js';
import { fakeContext } from './context.js';

/**
 * The real SDK stack (endpoint resolution, signing, standard retry, XML parsing) against a
 * loopback server: what aws-sdk-client-mock cannot show, since it replaces `send` whole.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Reply = { status: number; body: string };

const ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_RDS',
  'AWS_ENDPOINT_URL_ROUTE_53',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_EC2_METADATA_DISABLED',
];
let savedEnv: Record<string, string | undefined> = {};
let server: Server | undefined;

/** Starts a server answering with `replies` in order (the last one repeats); afterEach stops it. */
async function loopback(replies: Reply[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)];
      res.writeHead(reply.status, { 'content-type': 'text/xml' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  // Fake static credentials, and no shared config or instance metadata: nothing leaves 127.0.0.1.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
  setAwsClientFactory();
});

afterEach(async () => {
  setAwsClientFactory();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  const s = server;
  server = undefined;
  if (s)
    await new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
});

const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const describeXml = `<DescribeDBInstancesResponse xmlns="${RDS_NS}"><DescribeDBInstancesResult><DBInstances><DBInstance>
<DBInstanceIdentifier>ecommerce-prod-db-replica</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus>
<Engine>postgres</Engine><Endpoint><Address>replica.abc.eu-west-1.rds.amazonaws.com</Address><Port>5432</Port></Endpoint>
</DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeDBInstancesResponse>`;
const rdsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="${RDS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-e</RequestId></ErrorResponse>`;
const R53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

describe('AWS_ENDPOINT_URL_* and the SDK standard retry, through a loopback server', () => {
  it('sends RDS calls to AWS_ENDPOINT_URL_RDS, signed for AWS_DEFAULT_REGION', async () => {
    const { url, seen } = await loopback([{ status: 200, body: describeXml }]);
    process.env.AWS_ENDPOINT_URL_RDS = url;
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';

    const result = await awsRdsDescribeDbInstanceAction.run(
      { dbInstanceIdentifier: 'ecommerce-prod-db-replica' },
      fakeContext(),
    );

    expect(result).toMatchObject({
      dbInstanceIdentifier: 'ecommerce-prod-db-replica',
      status: 'available',
      endpoint: 'replica.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      engine: 'postgres',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(new URLSearchParams(seen[0].body).get('Action')).toBe('DescribeDBInstances');
    expect(new URLSearchParams(seen[0].body).get('DBInstanceIdentifier')).toBe('ecommerce-prod-db-replica');
    expect(String(seen[0].headers.authorization)).toContain('Credential=AKIDLOOPBACKTEST/');
    expect(String(seen[0].headers.authorization)).toContain('/eu-west-1/rds/aws4_request');
  });

  it('lets the SDK retry throttling, then succeeds', async () => {
    const throttled = { status: 400, body: rdsError('Throttling', 'Rate exceeded') };
    const { url, seen } = await loopback([throttled, throttled, { status: 200, body: describeXml }]);
    process.env.AWS_ENDPOINT_URL = url; // the global variable works as well

    const result = await awsRdsDescribeDbInstanceAction.run(
      { region: 'us-west-2', dbInstanceIdentifier: 'ecommerce-prod-db-replica' },
      fakeContext(),
    );

    expect(result.status).toBe('available');
    expect(seen).toHaveLength(3);
  });

  it('does not retry access denied, and says which permission is missing', async () => {
    const { url, seen } = await loopback([
      {
        status: 403,
        body: rdsError(
          'AccessDenied',
          'User: arn:aws:sts::123456789012:assumed-role/runbook/ci is not authorized to perform: rds:DescribeDBInstances',
        ),
      },
    ]);
    process.env.AWS_ENDPOINT_URL_RDS = url;

    const error = await awsRdsDescribeDbInstanceAction
      .run({ region: 'us-west-2', dbInstanceIdentifier: 'ecommerce-prod-db-replica' }, fakeContext())
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ retryable: false, code: 'access-denied', providerCode: 'AccessDenied' });
    expect(seen).toHaveLength(1);
  });

  // Loopback, not moto: moto answers HTML 500 only through its own bugs, which a test cannot choose.
  it('reports an HTML 5xx page by its HTTP status, not as an XML parse error', async () => {
    process.env.AWS_MAX_ATTEMPTS = '1';
    const html =
      '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    const { url } = await loopback([{ status: 502, body: html }]);
    process.env.AWS_ENDPOINT_URL_RDS = url;

    const error = await awsRdsDescribeDbInstanceAction
      .run({ region: 'us-west-2', dbInstanceIdentifier: 'ecommerce-prod-db-replica' }, fakeContext())
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'provider-error' });
    // Saying "HTTP 502" rather than "parse error" is the behaviour under test.
    expect((error as ActionError).message).toContain('HTTP 502');
    expect((error as ActionError).message).not.toMatch(/parse error/i);
    expect((error as ActionError).retryable).toBe(true);
  });

  // Loopback, not moto: the CLI run against moto always has a region (AWS_REGION).
  it('ends a wait at once when no region is configured, instead of polling until the step timeout', async () => {
    setAwsWaiterTiming({ rds: { minDelay: 5, maxDelay: 5, maxWaitTime: 60 } });
    const { url, seen } = await loopback([{ status: 200, body: describeXml }]);
    process.env.AWS_ENDPOINT_URL_RDS = url;
    const started = Date.now();

    const error = await awsRdsWaitAvailableAction
      .run({ dbInstanceIdentifier: 'ecommerce-prod-db-replica' }, fakeContext())
      .catch((e: unknown) => e)
      .finally(() => setAwsWaiterTiming());

    expect((error as ActionError).code).toBe('config');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(0);
  });

  it('runs the SDK waiter through the real client stack', async () => {
    setAwsWaiterTiming({ rds: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 60 } }); // bounds a failure only
    const creating = {
      status: 200,
      body: describeXml.replace('<DBInstanceStatus>available<', '<DBInstanceStatus>creating<'),
    };
    const { url, seen } = await loopback([creating, creating, { status: 200, body: describeXml }]);
    process.env.AWS_ENDPOINT_URL_RDS = url;

    const result = await awsRdsWaitAvailableAction
      .run({ region: 'eu-west-1', dbInstanceIdentifier: 'ecommerce-prod-db-replica' }, fakeContext())
      .finally(() => setAwsWaiterTiming());

    expect(result).toMatchObject({ status: 'available', endpoint: 'replica.abc.eu-west-1.rds.amazonaws.com' });
    expect(seen).toHaveLength(3);
  });

  it('reads the wire code DBInstanceNotFound as "already deleted"', async () => {
    const { url, seen } = await loopback([
      { status: 404, body: rdsError('DBInstanceNotFound', 'DBInstance tmp-verify not found.') },
    ]);
    process.env.AWS_ENDPOINT_URL_RDS = url;

    const result = await awsRdsDeleteDbInstanceAction.run(
      { region: 'us-east-1', dbInstanceIdentifier: 'tmp-verify', skipFinalSnapshot: true },
      fakeContext(),
    );

    expect(result).toEqual({ dbInstanceIdentifier: 'tmp-verify', status: 'deleted', finalDbSnapshotIdentifier: null });
    expect(seen).toHaveLength(1);
  });

  it('sends Route 53 calls to AWS_ENDPOINT_URL_ROUTE_53 and retries PriorRequestNotComplete', async () => {
    const list = `<ListResourceRecordSetsResponse xmlns="${R53_NS}"><ResourceRecordSets><ResourceRecordSet><Name>api.example.com.</Name><Type>CNAME</Type><TTL>300</TTL>
<ResourceRecords><ResourceRecord><Value>primary-alb.us-east-1.elb.amazonaws.com</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets>
<IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>`;
    const busy = `<ErrorResponse xmlns="${R53_NS}"><Error><Type>Sender</Type><Code>PriorRequestNotComplete</Code><Message>still processing a prior request</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
    const changed = `<ChangeResourceRecordSetsResponse xmlns="${R53_NS}"><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2025-01-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`;
    const { url, seen } = await loopback([
      { status: 200, body: list },
      { status: 400, body: busy },
      { status: 200, body: changed },
    ]);
    process.env.AWS_ENDPOINT_URL_ROUTE_53 = url;

    const result = await awsRoute53UpsertRecordAction.run(
      {
        hostedZoneId: 'Z1234567890ABC',
        name: 'api.example.com',
        type: 'CNAME',
        ttl: 60,
        value: 'dr-alb.us-west-2.elb.amazonaws.com',
        wait: false,
      },
      fakeContext(),
    );

    expect(result).toEqual({
      previousValue: 'primary-alb.us-east-1.elb.amazonaws.com',
      previousTtl: 300,
      previousAliasTarget: null,
      changeId: 'C1',
      status: 'PENDING',
    });
    expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual([
      'GET /2013-04-01/hostedzone/Z1234567890ABC/rrset',
      'POST /2013-04-01/hostedzone/Z1234567890ABC/rrset',
      'POST /2013-04-01/hostedzone/Z1234567890ABC/rrset',
    ]);
    expect(Object.fromEntries(new URLSearchParams(seen[0].url.split('?')[1]))).toEqual({
      name: 'api.example.com.',
      type: 'CNAME',
      maxitems: '1',
    });
    expect(seen[2].body).toContain('<Action>UPSERT</Action>');
    expect(seen[2].body).toContain('<Value>dr-alb.us-west-2.elb.amazonaws.com</Value>');
  });
});
