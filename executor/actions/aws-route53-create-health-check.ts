import { ChangeTagsForResourceCommand, CreateHealthCheckCommand, type HealthCheckType } from '@aws-sdk/client-route-53';
import type { ActionDefinition, PlanContext } from './action.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { fitName, NAME_LIMITS } from '../aws/names.js';
import { compact, int, optBool, planTarget, str, tagList, maskedPlan } from '../aws/params.js';
import type { AwsRoute53CreateHealthCheckResult } from '../../common/actions-catalog/index.js';

/** `with:` of aws.route53.create-health-check. */
export interface AwsRoute53CreateHealthCheckParams {
  region?: string;
  callerReference?: string;
  type: string;
  fullyQualifiedDomainName?: string;
  ipAddress?: string;
  port?: number | string;
  resourcePath?: string;
  searchString?: string;
  requestInterval?: number | string;
  failureThreshold?: number | string;
  measureLatency?: boolean | string;
  regions?: string[];
  tags?: Record<string, string>;
}

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { AwsRoute53CreateHealthCheckResult };

/**
 * Creates a health check (CreateHealthCheck), then tags it (ChangeTagsForResource). The caller
 * reference (default `<run id>-<step id>`) makes a retry or a resumed run get the same health
 * check back instead of a duplicate.
 */
export const awsRoute53CreateHealthCheckAction: ActionDefinition<
  AwsRoute53CreateHealthCheckParams,
  AwsRoute53CreateHealthCheckResult
> = maskedPlan({
  id: 'aws.route53.create-health-check',

  async run(params, ctx) {
    const args = input(params, ctx);
    const { route53 } = awsClients(params.region);
    const resource = `health check ${args.CallerReference}`;
    const out = await awsCall({ service: 'route53', operation: 'CreateHealthCheck', resource }, ctx.signal, (o) =>
      route53.send(new CreateHealthCheckCommand(args), o),
    );
    const healthCheckId = out.HealthCheck?.Id ?? '';
    const tags = tagList(params.tags);
    if (tags) {
      await awsCall(
        { service: 'route53', operation: 'ChangeTagsForResource', resource: `health check ${healthCheckId}` },
        ctx.signal,
        (o) =>
          route53.send(
            new ChangeTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: healthCheckId, AddTags: tags }),
            o,
          ),
      );
    }
    return { healthCheckId, callerReference: args.CallerReference };
  },

  plan(params, ctx) {
    const target = planTarget('route53', params.region);
    const args = input(params, ctx);
    const tags = tagList(params.tags);
    return {
      summary: `create a ${args.HealthCheckConfig.Type} health check of ${params.fullyQualifiedDomainName ?? params.ipAddress ?? '?'} (caller reference ${args.CallerReference})`,
      calls: [
        { target, operation: 'CreateHealthCheck', args },
        ...(tags
          ? [
              {
                target,
                operation: 'ChangeTagsForResource',
                args: { ResourceType: 'healthcheck', ResourceId: '<HealthCheck.Id>', AddTags: tags },
              },
            ]
          : []),
      ],
    };
  },
});

/** The caller reference: the param, or `<run id>-<step id>` shortened with a hash past 64 characters. */
export function callerReference(params: { callerReference?: string }, ctx: Pick<PlanContext, 'run' | 'step'>): string {
  const ref = params.callerReference?.trim() || `${ctx.run.id}-${ctx.step.id}`;
  return fitName(ref, NAME_LIMITS.route53CallerReference);
}

function input(params: AwsRoute53CreateHealthCheckParams, ctx: Pick<PlanContext, 'run' | 'step'>) {
  return {
    CallerReference: callerReference(params, ctx),
    HealthCheckConfig: compact({
      Type: str(params.type, 'type').toUpperCase() as HealthCheckType,
      FullyQualifiedDomainName: params.fullyQualifiedDomainName,
      IPAddress: params.ipAddress,
      Port: int(params.port, 'port'),
      ResourcePath: params.resourcePath,
      SearchString: params.searchString,
      RequestInterval: int(params.requestInterval, 'requestInterval'),
      FailureThreshold: int(params.failureThreshold, 'failureThreshold'),
      MeasureLatency: optBool(params.measureLatency, 'measureLatency'),
      Regions: params.regions?.length ? (params.regions as never[]) : undefined,
    }),
  };
}
