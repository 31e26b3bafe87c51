import type { ActionDefinition } from './action.js';
import { awsClients } from '../aws/clients.js';
import { compact, planTarget, str, maskedPlan } from '../aws/params.js';
import { aliasOf, normaliseName, readRecord, recordValues, valueShape, type AliasTargetValue } from '../aws/route53.js';
import type { AwsRoute53GetRecordParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRoute53GetRecordParams };

/** x-result of aws.route53.get-record. */
export interface AwsRoute53GetRecordResult {
  exists: boolean;
  value: string | string[] | null;
  values: string[];
  ttl: number | null;
  aliasTarget: AliasTargetValue | null;
}

/** Reads a record set (ListResourceRecordSets); an absent record is a result (`exists: false`), not a failure. */
export const awsRoute53GetRecordAction: ActionDefinition<AwsRoute53GetRecordParams, AwsRoute53GetRecordResult> =
  maskedPlan({
    id: 'aws.route53.get-record',

    async run(params, ctx) {
      const key = compact({
        hostedZoneId: str(params.hostedZoneId, 'hostedZoneId'),
        name: normaliseName(str(params.name, 'name')),
        type: str(params.type, 'type').toUpperCase(),
        setIdentifier: params.setIdentifier?.trim() || undefined,
      });
      const rrs = await readRecord(awsClients(params.region).route53, key, ctx);
      const values = recordValues(rrs);
      return { exists: !!rrs, value: valueShape(values), values, ttl: rrs?.TTL ?? null, aliasTarget: aliasOf(rrs) };
    },

    plan(params) {
      return {
        summary: `read ${params.name} ${params.type} in ${params.hostedZoneId}`,
        calls: [
          {
            target: planTarget('route53', params.region),
            operation: 'ListResourceRecordSets',
            args: {
              HostedZoneId: params.hostedZoneId,
              StartRecordName: params.name,
              StartRecordType: params.type,
              MaxItems: params.setIdentifier ? 100 : 1,
            },
          },
        ],
      };
    },
  });
