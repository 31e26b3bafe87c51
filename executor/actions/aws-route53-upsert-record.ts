import {
  ChangeResourceRecordSetsCommand,
  waitUntilResourceRecordSetsChanged,
  type GetChangeCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { ActionDefinition } from './action.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { ActionError } from '../core/errors.js';
import { bool, compact, int, planTarget, str, maskedPlan } from '../aws/params.js';
import {
  aliasOf,
  normaliseName,
  readRecord,
  recordCall,
  recordLabel,
  recordValues,
  shortId,
  valueShape,
  type AliasTargetValue,
  type RecordKey,
} from '../aws/route53.js';
import { waitFor, type SdkWaiter } from '../aws/waiters.js';

/** `with:` of aws.route53.upsert-record. */
export interface AwsRoute53UpsertRecordParams {
  region?: string;
  hostedZoneId: string;
  name: string;
  type: string;
  ttl?: number | string;
  value?: string | string[] | null;
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth?: boolean | string };
  setIdentifier?: string;
  weight?: number | string;
  failover?: string;
  healthCheckId?: string;
  comment?: string;
  wait?: boolean | string;
}

/** x-result of aws.route53.upsert-record; `previousAliasTarget` is set when the old record was an alias. */
export interface AwsRoute53UpsertRecordResult {
  previousValue: string | string[] | null;
  previousTtl: number | null;
  previousAliasTarget: AliasTargetValue | null;
  changeId: string;
  status: 'PENDING' | 'INSYNC';
}

/** TTL of a new non-alias record when the step gives none (Route 53 requires one). */
const DEFAULT_TTL = 300;

/**
 * Creates or replaces a record set (UPSERT) after reading its current value (returned as
 * `previousValue` for the rollback, null when the record did not exist), then waits until the
 * change is INSYNC (GetChange) when `wait` (default true). The value read is journaled as the
 * step's rollback data before the UPSERT: an attempt after a crash or a timed-out wait (the UPSERT
 * of the earlier attempt applied) reads the new value back, and takes the journaled one instead,
 * so the rollback restores the original rather than the failover target.
 */
export const awsRoute53UpsertRecordAction: ActionDefinition<
  AwsRoute53UpsertRecordParams,
  AwsRoute53UpsertRecordResult
> = maskedPlan({
  id: 'aws.route53.upsert-record',

  async run(params, ctx) {
    const key = recordKey(params);
    const { route53 } = awsClients(params.region);
    const current = await readRecord(route53, key, ctx);
    const desired = recordSet(params, current?.TTL);
    const previous = previousRecord(ctx.rollbackData.journaled as Journaled | undefined, current, desired, key);
    // Durable before the change it describes: a kill from here on finds it in the journal.
    await ctx.rollbackData.save({
      record: recordLabel(key),
      previous: previous ?? null,
      desired: signature(desired),
    } satisfies Journaled);

    const out = await awsCall(recordCall('ChangeResourceRecordSets', key), ctx.signal, (o) =>
      route53.send(new ChangeResourceRecordSetsCommand(changeInput(params, desired)), o),
    );
    const changeId = shortId(out.ChangeInfo?.Id);
    let status: string = out.ChangeInfo?.Status ?? 'PENDING';
    ctx.log.info(`UPSERT ${recordLabel(key)}: change ${changeId} ${status}`);
    if (bool(params.wait, 'wait', true) && status !== 'INSYNC')
      status = (await waitInsync(route53, changeId, key, ctx)) ?? 'INSYNC';
    return {
      previousValue: valueShape(recordValues(previous)),
      previousTtl: previous?.TTL ?? null,
      previousAliasTarget: aliasOf(previous),
      changeId,
      status: status === 'INSYNC' ? 'INSYNC' : 'PENDING',
    };
  },

  plan(params) {
    const key = recordKey(params);
    const target = planTarget('route53', params.region);
    const wait = bool(params.wait, 'wait', true);
    const shown = params.aliasTarget ? `alias ${params.aliasTarget.dnsName}` : JSON.stringify(params.value);
    return {
      summary: `UPSERT ${recordLabel(key)} → ${shown}${wait ? ' and wait until INSYNC' : ''}`,
      calls: [
        {
          target,
          operation: 'ListResourceRecordSets',
          args: {
            HostedZoneId: key.hostedZoneId,
            StartRecordName: key.name,
            StartRecordType: key.type,
            MaxItems: key.setIdentifier ? 100 : 1,
          },
        },
        { target, operation: 'ChangeResourceRecordSets', args: changeInput(params, recordSet(params, undefined)) },
        ...(wait
          ? [
              {
                target,
                operation: 'waitUntilResourceRecordSetsChanged',
                args: { Id: '<ChangeInfo.Id of ChangeResourceRecordSets>' },
              },
            ]
          : []),
      ],
    };
  },
});

function recordKey(params: AwsRoute53UpsertRecordParams): RecordKey {
  return compact({
    hostedZoneId: str(params.hostedZoneId, 'hostedZoneId'),
    name: normaliseName(str(params.name, 'name')),
    type: str(params.type, 'type').toUpperCase(),
    setIdentifier: params.setIdentifier?.trim() || undefined,
  });
}

/** The record set to write; a TTL left out keeps the current one (or DEFAULT_TTL for a new record). */
function recordSet(params: AwsRoute53UpsertRecordParams, currentTtl: number | undefined): ResourceRecordSet {
  const key = recordKey(params);
  const alias = params.aliasTarget;
  const values = (Array.isArray(params.value) ? params.value : [params.value]).filter(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  if (!alias && values.length === 0) {
    throw new ActionError(
      `nothing to write to ${recordLabel(key)}: \`value\` is empty. When it comes from a previous upsert's previousValue, the record did not exist (or was an alias) before that change`,
      { code: 'bad-params' },
    );
  }
  return compact({
    Name: key.name,
    Type: key.type as RRType,
    SetIdentifier: key.setIdentifier,
    Weight: int(params.weight, 'weight'),
    Failover: params.failover as ResourceRecordSet['Failover'],
    HealthCheckId: params.healthCheckId,
    TTL: alias ? undefined : (int(params.ttl, 'ttl') ?? currentTtl ?? DEFAULT_TTL),
    ResourceRecords: alias ? undefined : values.map((Value) => ({ Value })),
    AliasTarget: alias
      ? {
          HostedZoneId: str(alias.hostedZoneId, 'aliasTarget.hostedZoneId'),
          DNSName: str(alias.dnsName, 'aliasTarget.dnsName'),
          EvaluateTargetHealth: bool(alias.evaluateTargetHealth, 'aliasTarget.evaluateTargetHealth', false),
        }
      : undefined,
  });
}

/** The rollback data of a step: the record as it was before the step's first UPSERT applied. */
interface Journaled {
  record: string;
  previous: ResourceRecordSet | null;
  /** signature() of what the step writes. */
  desired: string;
}

/**
 * The record before this step changed it. When an earlier attempt journaled what it read and the
 * record now holds exactly what this step writes, that attempt's UPSERT applied: what it read is
 * the original. Otherwise (no earlier attempt, it died before its UPSERT, or someone changed the
 * record since) the current record is.
 */
function previousRecord(
  journaled: Journaled | undefined,
  current: ResourceRecordSet | undefined,
  desired: ResourceRecordSet,
  key: RecordKey,
): ResourceRecordSet | undefined {
  const applied =
    journaled?.record === recordLabel(key) &&
    journaled.desired === signature(desired) &&
    signature(current) === journaled.desired;
  return applied ? (journaled.previous ?? undefined) : current;
}

/** What a record points at, to recognise "the UPSERT of an earlier attempt already applied". */
function signature(rrs: ResourceRecordSet | undefined): string {
  if (!rrs) return '';
  return JSON.stringify([
    rrs.TTL ?? null,
    recordValues(rrs).sort(),
    rrs.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '') ?? null,
  ]);
}

function changeInput(params: AwsRoute53UpsertRecordParams, rrs: ResourceRecordSet) {
  return {
    HostedZoneId: recordKey(params).hostedZoneId,
    ChangeBatch: compact({ Comment: params.comment, Changes: [{ Action: 'UPSERT' as const, ResourceRecordSet: rrs }] }),
  };
}

async function waitInsync(
  route53: Route53Client,
  changeId: string,
  key: RecordKey,
  ctx: Parameters<typeof waitFor>[1],
) {
  const { status } = await waitFor(
    {
      call: { service: 'route53', operation: 'GetChange', resource: `change ${changeId} (${recordLabel(key)})` },
      client: route53,
      input: { Id: changeId },
      waiter: waitUntilResourceRecordSetsChanged as SdkWaiter<Route53Client, unknown, GetChangeCommandOutput>,
      target: 'INSYNC',
      statusOf: (o: GetChangeCommandOutput) => o.ChangeInfo?.Status,
    },
    ctx,
  );
  return status;
}
