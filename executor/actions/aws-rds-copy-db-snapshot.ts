import { CopyDBSnapshotCommand, type DBSnapshot } from '@aws-sdk/client-rds';
import type { ActionContext, ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients, resolveRegion } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { isAwsError } from '../aws/errors.js';
import { ActionError } from '../core/errors.js';
import { bool, compact, optBool, planTarget, str, tagList, maskedPlan } from '../aws/params.js';
import { describeSnapshot, snapshotResult, waitSnapshotAvailable } from '../aws/rds.js';
import type { AwsRdsCopyDbSnapshotParams, AwsRdsCopyDbSnapshotResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsCopyDbSnapshotParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { AwsRdsCopyDbSnapshotResult };

/**
 * Tag put on every copy: its source. RDS fills the copy's SourceDBSnapshotIdentifier only for
 * cross-region copies, so without the tag a retry of a same-region copy could not recognise the
 * copy it made and failed on DBSnapshotAlreadyExists.
 */
export const SOURCE_TAG = 'runbook:source-snapshot';

const ARN = /^arn:[\w-]+:rds:([a-z0-9-]+):\d+:snapshot:/;

/**
 * Copies a snapshot (CopyDBSnapshot), across regions when `sourceRegion` differs from `region`.
 * RDS wants the source as an ARN for a cross-region copy; given an identifier, the action looks
 * the ARN up in the source region (DescribeDBSnapshots) rather than guess the account and
 * partition. The SDK then signs the PreSignedUrl an encrypted copy needs on its own (it derives
 * the source region from the ARN: v3 has no SourceRegion input). A retry finding the copy already
 * made from the same source adopts it.
 */
export const awsRdsCopyDbSnapshotAction: ActionDefinition<AwsRdsCopyDbSnapshotParams, AwsRdsCopyDbSnapshotResult> =
  maskedPlan(
    withFittedNames(
      { targetDbSnapshotIdentifier: NAME_LIMITS.rdsSnapshot },
      {
        id: 'aws.rds.copy-db-snapshot',

        async run(params, ctx) {
          const source = str(params.sourceDbSnapshotIdentifier, 'sourceDbSnapshotIdentifier');
          const id = str(params.targetDbSnapshotIdentifier, 'targetDbSnapshotIdentifier');
          const { rds, region } = awsClients(params.region);
          const sourceArn = await sourceIdentifier(params, source, ctx);
          let copy: DBSnapshot | undefined;
          try {
            const out = await awsCall(
              { service: 'rds', operation: 'CopyDBSnapshot', resource: `${id} (from ${source})`, region },
              ctx.signal,
              (o) => rds.send(new CopyDBSnapshotCommand(input(params, sourceArn)), o),
            );
            copy = out.DBSnapshot;
          } catch (error) {
            if (!isAwsError(error, 'DBSnapshotAlreadyExists')) throw error;
            copy = await describeSnapshot(rds, id, region, ctx);
            if (!copiedFrom(copy, source, sourceArn)) throw error;
            ctx.log.info(`copy ${id} of ${source} already exists (status ${copy?.Status}): using it`);
          }
          if (bool(params.wait, 'wait', true) && copy?.Status !== 'available') {
            copy = (await waitSnapshotAvailable(rds, id, region, ctx)).snapshot ?? copy;
          }
          const { dbSnapshotIdentifier, dbSnapshotArn, status } = snapshotResult(copy, id, 'pending');
          return { dbSnapshotIdentifier, dbSnapshotArn, status };
        },

        plan(params) {
          const target = planTarget('rds', params.region);
          const wait = bool(params.wait, 'wait', true);
          const lookup = needsArnLookup(params);
          const source = lookup
            ? `<ARN of ${params.sourceDbSnapshotIdentifier} in ${params.sourceRegion}>`
            : params.sourceDbSnapshotIdentifier;
          return {
            summary: `copy RDS snapshot ${params.sourceDbSnapshotIdentifier}${params.sourceRegion ? ` from ${params.sourceRegion}` : ''} to ${params.targetDbSnapshotIdentifier} in ${target.slice('aws:rds:'.length)}`,
            calls: [
              ...(lookup
                ? [
                    {
                      target: planTarget('rds', params.sourceRegion),
                      operation: 'DescribeDBSnapshots',
                      args: { DBSnapshotIdentifier: params.sourceDbSnapshotIdentifier },
                    },
                  ]
                : []),
              { target, operation: 'CopyDBSnapshot', args: input(params, source) },
              ...(wait
                ? [
                    {
                      target,
                      operation: 'waitUntilDBSnapshotAvailable',
                      args: { DBSnapshotIdentifier: params.targetDbSnapshotIdentifier },
                    },
                  ]
                : []),
            ],
          };
        },
      },
    ),
  );

/** True for a cross-region copy named by identifier: its ARN must be read in the source region. */
function needsArnLookup(params: AwsRdsCopyDbSnapshotParams): boolean {
  if (ARN.test(params.sourceDbSnapshotIdentifier) || !params.sourceRegion) return false;
  return resolveRegion(params.sourceRegion) !== resolveRegion(params.region);
}

async function sourceIdentifier(
  params: AwsRdsCopyDbSnapshotParams,
  source: string,
  ctx: ActionContext,
): Promise<string> {
  if (!needsArnLookup(params)) return source;
  const { rds, region } = awsClients(params.sourceRegion);
  const snapshot = await describeSnapshot(rds, source, region, ctx);
  if (!snapshot?.DBSnapshotArn) {
    throw new ActionError(`rds:CopyDBSnapshot: source snapshot ${source} was not found in ${region}`, {
      code: 'not-found',
      providerCode: 'DBSnapshotNotFound',
    });
  }
  return snapshot.DBSnapshotArn;
}

/** True when `copy` was made from `source` (by its SourceDBSnapshotIdentifier or our SOURCE_TAG). */
function copiedFrom(copy: DBSnapshot | undefined, source: string, sourceArn: string): boolean {
  const tagged = copy?.TagList?.find((t) => t.Key === SOURCE_TAG)?.Value;
  return [copy?.SourceDBSnapshotIdentifier, tagged].some(
    (from) => !!from && (from === sourceArn || from === source || from.endsWith(`:snapshot:${source}`)),
  );
}

function input(params: AwsRdsCopyDbSnapshotParams, source: string) {
  return compact({
    SourceDBSnapshotIdentifier: source,
    TargetDBSnapshotIdentifier: params.targetDbSnapshotIdentifier,
    KmsKeyId: params.kmsKeyId,
    CopyTags: optBool(params.copyTags, 'copyTags'),
    Tags: tagList({ ...params.tags, [SOURCE_TAG]: source }),
  });
}
