import { createRequire } from 'node:module';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';

// Each SDK package is loaded when its first client is built, not when an action module is: a
// Route 53 step never loads the RDS package through this module, nor an RDS step Route 53's. Both
// packages are CommonJS (their `main` is dist-cjs/index.js, and they declare no `exports`), so
// `require` loads the very module instance that the actions' `import { …Command }` statements get.
const require = createRequire(import.meta.url);
const sdk = {
  rds: () => require('@aws-sdk/client-rds') as typeof import('@aws-sdk/client-rds'),
  route53: () => require('@aws-sdk/client-route-53') as typeof import('@aws-sdk/client-route-53'),
};

/**
 * The AWS clients an action uses for one region. Built lazily: an RDS-only step never
 * constructs a Route 53 client.
 */
export interface AwsClients {
  /** The region the RDS client calls, or undefined when the SDK resolves it (profile). */
  readonly region: string | undefined;
  readonly rds: RDSClient;
  readonly route53: Route53Client;
  /** Releases the sockets of the clients built so far. */
  destroy?(): void;
}

/** Builds the clients of a region; swapped in tests with {@link setAwsClientFactory}. */
export type AwsClientFactory = (region: string | undefined) => AwsClients;

/** Route 53 is a global service whose control plane lives in us-east-1. */
export const ROUTE53_DEFAULT_REGION = 'us-east-1';

/**
 * The region of a call: the step's `region` param, else AWS_REGION, else AWS_DEFAULT_REGION
 * (which the v3 SDK does not read on its own, unlike the AWS CLI users know it from), else
 * undefined so the SDK's own chain (the profile's `region`) decides.
 */
export function resolveRegion(region?: string): string | undefined {
  const r = region?.trim() || process.env.AWS_REGION?.trim() || process.env.AWS_DEFAULT_REGION?.trim();
  return r || undefined;
}

/**
 * The default factory. Credentials come from the SDK's standard chain (env, SSO, profile, web
 * identity for GitHub OIDC, ECS/EC2 metadata); endpoints honour AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_RDS / AWS_ENDPOINT_URL_ROUTE_53 natively (the SDK reads them per client);
 * retries use the SDK's standard mode (throttling and 5xx retried with backoff, AWS_MAX_ATTEMPTS
 * and AWS_RETRY_MODE respected), so actions never retry a throttled call themselves.
 */
export function defaultAwsClientFactory(region: string | undefined): AwsClients {
  let rds: RDSClient | undefined;
  let route53: Route53Client | undefined;
  return {
    region,
    get rds() {
      return (rds ??= new (sdk.rds().RDSClient)(region ? { region } : {}));
    },
    get route53() {
      return (route53 ??= new (sdk.route53().Route53Client)({ region: region ?? ROUTE53_DEFAULT_REGION }));
    },
    destroy() {
      rds?.destroy();
      route53?.destroy();
    },
  };
}

let factory: AwsClientFactory = defaultAwsClientFactory;
// One set of clients per region for the whole process: they keep their connection pools and
// resolved credentials between steps, which matters when a failover runs many calls at once.
const cache = new Map<string, AwsClients>();

/**
 * The clients for a region (see {@link resolveRegion}), cached per region.
 * @param region the step's `region` param, if any
 */
export function awsClients(region?: string): AwsClients {
  const resolved = resolveRegion(region);
  const key = resolved ?? '';
  let clients = cache.get(key);
  if (!clients) {
    clients = factory(resolved);
    cache.set(key, clients);
  }
  return clients;
}

/**
 * Replaces the client factory (tests, or an embedding program with its own clients); without an
 * argument restores the default. Always drops the cached clients, so a changed environment
 * (AWS_ENDPOINT_URL…, credentials) takes effect on the next call.
 */
export function setAwsClientFactory(next?: AwsClientFactory): void {
  factory = next ?? defaultAwsClientFactory;
  for (const c of cache.values()) c.destroy?.();
  cache.clear();
}
