import { RULES } from '../../rules/index.ts';
import { eventPatterns } from '../event-patterns.ts';
import { arnOf, type CfnResource, type CfnTemplate, ref } from './cfn.ts';
import {
  applyGrants,
  buildFlowLogs,
  EVIDENCE_FUNCTION,
  evidenceEnvironment,
  needsTargetsResource,
  TARGETS_FUNCTION,
  targetsFunctionRole,
} from './flow-logs.ts';
import { changeManagementRole, inboundEnvironment, INBOUND_FUNCTION, SYNC_FUNCTION } from './change-management.ts';
import { buildAlarms, buildDashboard } from './monitoring.ts';
import { parseParams, type StackParams } from './params.ts';
import { buildPrivateMode } from './private-mode.ts';
import { RECONCILE_FUNCTION, reconcileEnvironment } from './reconcile.ts';
import { RESPOND_FUNCTION, respondDeployed } from './respond.ts';
import { tableName } from './tables.ts';
import { buildResources, type FunctionInfo, type IngestQueue, logGroupId, roleId } from './resources.ts';

/**
 * The stack builder the osls plugin (deploy/netwatch-plugin.cjs) calls: `configureService` at `initialize` (validate
 * parameters, keep the functions the mode needs, attach roles, environment and VPC), `extendTemplate` after osls has
 * compiled functions and custom resources (add the stack's resources, encrypt the log groups).
 */

/** The slice of osls's service object the builder touches. */
export interface ServiceLike {
  service: string;
  provider: {
    stage: string;
    environment?: Record<string, unknown>;
    vpc?: unknown;
    kmsKeyArn?: unknown;
    logRetentionInDays?: number;
  };
  custom?: { netwatch?: Record<string, unknown> };
  functions: Record<
    string,
    {
      name?: string;
      timeout?: number;
      role?: string;
      events?: unknown[];
      environment?: Record<string, unknown>;
      vpc?: unknown;
    }
  >;
}

/** Which ingest queue a function consumes. */
const QUEUES: Record<string, IngestQueue | undefined> = {
  configChanges: 'ConfigQueue',
  cloudtrailEvents: 'CloudTrailQueue',
  cloudtrailS3: 'CloudTrailQueue',
  digest: undefined,
  [RECONCILE_FUNCTION]: undefined,
  [RESPOND_FUNCTION]: undefined,
  [EVIDENCE_FUNCTION]: undefined,
  [TARGETS_FUNCTION]: undefined,
  [SYNC_FUNCTION]: undefined,
  [INBOUND_FUNCTION]: undefined,
};

export { parseParams };
export { localConfigPath } from './local-config.ts';
export type { StackParams };

/**
 * Validate parameters and shape the functions (throws ParamError listing every problem). `local` (serverless invoke
 * local) leaves out the deployed-only environment (SSM config parameter, table names): a local run has no AWS
 * account, so it uses the built-in default config, or `-e NETWATCH_CONFIG_PATH=FILE` (YAML or JSON, relative to the
 * service: {@link localConfigPath}, applied by deploy/netwatch-plugin.cjs).
 */
export function configureService(service: ServiceLike, options: { local?: boolean } = {}): StackParams {
  const params = parseParams(service.custom?.netwatch ?? {}, service.provider.stage);
  // One CloudTrail consumer: EventBridge events, or the org trail's S3 log deliveries.
  delete service.functions[params.cloudTrailSource === 's3' ? 'cloudtrailEvents' : 'cloudtrailS3'];
  // Flow logs (docs/flow-logs.md): the evidence function with trafficEvidence, the custom resource when needed.
  if (!params.trafficEvidence) delete service.functions[EVIDENCE_FUNCTION];
  if (!needsTargetsResource(params)) delete service.functions[TARGETS_FUNCTION];
  // Change management in (docs/change-management.md): the approvals sync and the inbound endpoint, each on request.
  if (!params.approvalsSync) delete service.functions[SYNC_FUNCTION];
  if (!params.approvalsInbound) delete service.functions[INBOUND_FUNCTION];
  const inbound = service.functions[INBOUND_FUNCTION];
  if (inbound) inbound.environment = { ...inbound.environment, ...inboundEnvironment(params) };
  // Reconciliation (docs/reconciliation.md) unless switched off; the opt-in response (docs/response.md) on request.
  if (params.reconcileSchedule === 'off') delete service.functions[RECONCILE_FUNCTION];
  if (!respondDeployed(params)) delete service.functions[RESPOND_FUNCTION];
  for (const key of Object.keys(service.functions)) {
    const fn = service.functions[key];
    if (fn) fn.role = roleId(key);
  }
  const prefix = `${service.service}-${params.stage}`;
  const evidence = service.functions[EVIDENCE_FUNCTION];
  if (evidence) {
    // The queries' time limit plus a minute for the look-ups and the follow-up deliveries.
    evidence.timeout = params.evidenceTimeoutSeconds + 60;
    evidence.environment = { ...evidence.environment, ...evidenceEnvironment(prefix, params) };
  }
  const reconcile = service.functions[RECONCILE_FUNCTION];
  if (reconcile && !options.local)
    reconcile.environment = { ...reconcile.environment, ...reconcileEnvironment(service.service, params) };
  const targets = service.functions[TARGETS_FUNCTION];
  // The custom resource answers CloudFormation on a pre-signed S3 URL: out of the private subnets (which reach no S3).
  if (targets && params.privateMode) targets.vpc = false;
  if (options.local) return params;
  service.provider.environment = {
    ...service.provider.environment,
    NETWATCH_CONFIG_PARAMETER: params.netwatchConfigParameter ?? `/${service.service}/${params.stage}/config`,
    NETWATCH_DEDUP_TABLE: tableName(prefix, 'DeliveryTable'),
    NETWATCH_APPROVALS_TABLE: tableName(prefix, 'ApprovalsTable'),
    NETWATCH_STATE_TABLE: tableName(prefix, 'StateTable'),
  };
  service.provider.kmsKeyArn = arnOf('NetwatchKey');
  service.provider.logRetentionInDays = params.logRetentionDays;
  if (params.privateMode)
    service.provider.vpc = { securityGroupIds: [ref('FunctionSecurityGroup')], subnetIds: params.privateSubnetIds };
  return params;
}

/** The deployed functions as the builder sees them. */
export function functionInfos(service: ServiceLike): FunctionInfo[] {
  return Object.entries(service.functions).map(([key, fn]) => {
    const queue = QUEUES[key];
    return {
      key,
      name: fn.name ?? `${service.service}-${service.provider.stage}-${key}`,
      timeout: fn.timeout ?? 6,
      ...(queue ? { queue } : {}),
    };
  });
}

/** Add the stack's resources to osls's compiled template, and encrypt the function log groups with the stack key. */
export function extendTemplate(template: CfnTemplate, service: ServiceLike, params: StackParams): void {
  const functions = functionInfos(service);
  const prefix = `${service.service}-${params.stage}`;
  const configParameterName = params.netwatchConfigParameter ?? `/${service.service}/${params.stage}/config`;
  const built = buildResources({ service: service.service, params, functions, patterns: eventPatterns(RULES) });
  const flow = buildFlowLogs(prefix, params, functions);
  const added: Record<string, CfnResource> = {
    ...built.Resources,
    ...buildAlarms(prefix, params, functions),
    ...buildDashboard(prefix, params, functions, flow.widgets),
    ...flow.resources,
    ...buildPrivateMode(prefix, params, functions, configParameterName, params.privateRouteTableIds),
  };
  // The custom resource delivers nothing: its role replaces the generic delivery role built for every function.
  const targetsFn = functions.find((f) => f.key === TARGETS_FUNCTION);
  if (targetsFn) added[roleId(TARGETS_FUNCTION)] = targetsFunctionRole(targetsFn);
  // Likewise the approvals sync and the inbound endpoint: the approvals table, config and secrets only.
  for (const fn of functions.filter((f) => f.key === SYNC_FUNCTION || f.key === INBOUND_FUNCTION))
    added[roleId(fn.key)] = changeManagementRole(fn, params, configParameterName);
  applyGrants(added, flow.grants);
  for (const [id, resource] of Object.entries(added)) {
    if (template.Resources[id])
      throw new Error(`Netwatch stack: resource ${id} is defined twice (serverless.yml resources and deploy/stack)`);
    template.Resources[id] = resource;
  }
  template.Outputs = { ...template.Outputs, ...built.Outputs, ...flow.outputs };
  for (const fn of functions) {
    const group = template.Resources[logGroupId(fn.key)];
    if (group?.Properties) {
      group.Properties['KmsKeyId'] = arnOf('NetwatchKey');
      // The key policy must exist before CloudWatch Logs can use the key.
      group.DependsOn = 'NetwatchKey';
    }
  }
  template.Description = `Netwatch (${params.stage}): AWS network change monitor — ${params.cloudTrailSource === 's3' ? 'org-trail S3' : 'EventBridge'} CloudTrail, Config via ${params.configSource}${params.orgMode ? ', org mode' : ''}${params.privateMode ? ', private mode' : ''}`;
}
