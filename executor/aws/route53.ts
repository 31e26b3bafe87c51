import {
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { ActionContext } from '../actions/action.js';
import { awsCall } from './call.js';
import type { AwsCall } from './errors.js';

/** Which record set: zone, name, type and, for weighted / failover / latency sets, the identifier. */
export interface RecordKey {
  readonly hostedZoneId: string;
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
}

/** An alias target as the runbook writes it (and as get-record returns it). */
export interface AliasTargetValue {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** `api.example.com CNAME in Z123`: how errors and logs name a record. */
export function recordLabel(key: RecordKey): string {
  return `${key.name} ${key.type}${key.setIdentifier ? ` [${key.setIdentifier}]` : ''} in ${key.hostedZoneId}`;
}

/** The call description of an operation on a record, for error messages. */
export function recordCall(operation: string, key: RecordKey): AwsCall {
  return { service: 'route53', operation, resource: recordLabel(key) };
}

/**
 * DNS names compare case-insensitively, with or without the final dot, and Route 53 returns
 * some characters octal-escaped (`*` as `\052`). The actions also send names in this form (lower
 * case, final dot), as Route 53 stores them: a record written as `API.Example.com` is then found
 * again as `api.example.com`, and an emulator that compares case-sensitively (moto 4.2) agrees.
 */
export function normaliseName(name: string): string {
  const decoded = name.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const lower = decoded.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

// At most this many pages of one name and type: weighted sets rarely exceed a few dozen records.
const MAX_PAGES = 10;

/**
 * Reads one record set with ListResourceRecordSets. Route 53 lists from the first set whose
 * name/type is >= the start position, so a missing record shows up as its successor: each
 * returned set is compared with the key, and undefined means the record does not exist. A
 * simple record needs one item; a set identifier may need a few pages of the same name and type.
 */
export async function readRecord(
  route53: Route53Client,
  key: RecordKey,
  ctx: Pick<ActionContext, 'signal'>,
): Promise<ResourceRecordSet | undefined> {
  const name = normaliseName(key.name);
  const call = recordCall('ListResourceRecordSets', key);
  let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {
    StartRecordName: key.name,
    StartRecordType: key.type as RRType,
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await awsCall(call, ctx.signal, (o) =>
      route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: key.hostedZoneId,
          ...start,
          MaxItems: key.setIdentifier ? 100 : 1,
        }),
        o,
      ),
    );
    for (const rrs of out.ResourceRecordSets ?? []) {
      if (normaliseName(rrs.Name ?? '') !== name || rrs.Type !== key.type) return undefined;
      if ((rrs.SetIdentifier ?? undefined) === (key.setIdentifier ?? undefined)) return rrs;
    }
    if (!out.IsTruncated) return undefined;
    start = {
      StartRecordName: out.NextRecordName,
      StartRecordType: out.NextRecordType,
      StartRecordIdentifier: out.NextRecordIdentifier,
    };
  }
  return undefined;
}

/** The values of a record set (empty for an alias or an absent record). */
export function recordValues(rrs: ResourceRecordSet | undefined): string[] {
  return (rrs?.ResourceRecords ?? []).map((r) => r.Value ?? '').filter((v) => v !== '');
}

/** One value as a string, several as an array, none as null: the `value` shape of the schemas. */
export function valueShape(values: string[]): string | string[] | null {
  if (values.length === 0) return null;
  return values.length === 1 ? values[0] : values;
}

/** The alias target of a record set in the runbook's shape, or null. */
export function aliasOf(rrs: ResourceRecordSet | undefined): AliasTargetValue | null {
  const a = rrs?.AliasTarget;
  if (!a) return null;
  return {
    hostedZoneId: a.HostedZoneId ?? '',
    dnsName: a.DNSName ?? '',
    evaluateTargetHealth: a.EvaluateTargetHealth ?? false,
  };
}

/** `/change/C2682N5HXP0BZ4` → `C2682N5HXP0BZ4` (GetChange accepts both; people read the short one). */
export function shortId(id: string | undefined): string {
  return (id ?? '').replace(/^\/(change|hostedzone)\//, '');
}
