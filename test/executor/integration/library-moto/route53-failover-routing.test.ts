import { ListHealthChecksCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { expect, it } from 'vitest';
import type { MotoServer } from '../../../support/moto.js';
import { seedZone, ZONE_ID } from './aws-state.js';
import { describeLibrary, stepEnds } from './harness.js';

/**
 * The library's route53-failover-routing runbook (000:151-210, 002:1037-1177, 004:128-170),
 * unchanged, through the built CLI: Route 53 in moto (real SDK calls), the three replicas' lag
 * queries against the harness's throwaway PostgreSQL (a primary: no replay, lag 0), the alert
 * webhook a loopback capture server. moto limits met: CreateHealthCheck ignores the caller
 * reference (each run's references differ anyway: `<run id>-<step id>`), and moto does not refuse
 * a CNAME next to other records of the same name, so the zone is seeded without api.example.com.
 */
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describeLibrary(
  'route53-failover-routing',
  (w) => seedZone(w.moto, [{ name: 'www.example.com', type: 'CNAME', value: 'primary-alb.example.com' }]),
  (world) => {
    it('checks the replicas, creates both health checks and the PRIMARY / SECONDARY records using them', async () => {
      const r = await world.run('route53-failover-routing', {
        inputs: { alert_webhook: `${world.capture.url}/replication` },
        as: '@john-doe',
      });
      expect(r.status, r.stdout + r.stderr + world.moto.log()).toBe(0);
      const ends = stepEnds(r);
      for (const id of ['lag-us-west-2', 'lag-eu-west-1', 'lag-ap-southeast-1'])
        expect([id, ends[id]?.status, Number(ends[id]?.outputs?.lag)]).toEqual([id, 'succeeded', 0]);
      // Every replica within its threshold: nothing goes to the alert webhook.
      expect(ends['alert-replication-lag']?.status).toBe('skipped');
      expect(world.capture.bodies).toEqual([]);

      const checks = await healthChecks(world.moto);
      const byFqdn = new Map(checks.map((c) => [c.HealthCheckConfig?.FullyQualifiedDomainName, c]));
      for (const fqdn of ['api-us-east-1.example.com', 'api-us-west-2.example.com']) {
        // 002:1053-1062 and 004:148-154: HTTPS /health on 443, every 30 s, unhealthy after 3 failures.
        expect(byFqdn.get(fqdn)?.HealthCheckConfig).toMatchObject({
          Type: 'HTTPS',
          ResourcePath: '/health',
          Port: 443,
          RequestInterval: 30,
          FailureThreshold: 3,
        });
      }
      const primaryCheck = ends['health-check-primary']?.outputs?.healthCheckId;
      const secondaryCheck = ends['health-check-secondary']?.outputs?.healthCheckId;
      expect(byFqdn.get('api-us-east-1.example.com')?.Id).toBe(primaryCheck);
      expect(byFqdn.get('api-us-west-2.example.com')?.Id).toBe(secondaryCheck);

      // 002:1080-1104: two A records of the API name, TTL 60, each with its region's health check.
      const records = (await recordSets(world.moto)).filter((s) => s.Name === 'api.example.com.' && s.Type === 'A');
      const shape = records
        .map((s) => [s.SetIdentifier, s.Failover, s.TTL, s.ResourceRecords?.[0]?.Value, s.HealthCheckId])
        .sort();
      expect(shape).toEqual([
        ['primary-us-east-1', 'PRIMARY', 60, '1.2.3.4', primaryCheck],
        ['secondary-us-west-2', 'SECONDARY', 60, '5.6.7.8', secondaryCheck],
      ]);
      expect([ends['verify-primary-record']?.status, ends['verify-secondary-record']?.status]).toEqual([
        'succeeded',
        'succeeded',
      ]);
    }, 120_000);
  },
);

function client(moto: MotoServer): Route53Client {
  return new Route53Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

async function healthChecks(moto: MotoServer) {
  const r53 = client(moto);
  try {
    return (await r53.send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
  } finally {
    r53.destroy();
  }
}

async function recordSets(moto: MotoServer) {
  const r53 = client(moto);
  try {
    return (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE_ID }))).ResourceRecordSets ?? [];
  } finally {
    r53.destroy();
  }
}
