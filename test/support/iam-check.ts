import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { AwsCall } from './aws-calls.ts';
import { iamRequestsOf, type IamRequest } from './iam-requests.ts';
import type { DeployedFunction, Obj, ResolvedStack } from './stack-template.ts';

/**
 * Checks recorded AWS calls against the deployed stack with a real IAM evaluator (@cloud-copilot/iam-simulate;
 * AGPL-3.0, a devDependency used by tests only, never bundled): each call's action and resource, made by the
 * function's role session, against
 * - the role's policies in the packaged template (identity policy),
 * - the resource's own policy when the stack defines one (SNS topic policy, SQS queue policy, KMS key policy),
 * - in private mode, the policy of the VPC endpoint the call leaves through (and a call to a service without an
 *   endpoint is refused: it cannot leave the private subnets);
 * plus what a call implies AWS does with the caller's permissions: publishing to an SSE-KMS topic or queue needs
 * kms:GenerateDataKey and kms:Decrypt on its key, receiving from one kms:Decrypt.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */

/** One request judged. */
export interface Verdict {
  fn: string;
  action: string;
  resource: string;
  /** `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`, or why it could not be evaluated. */
  result: string;
  /** Which policy refused (identity, resource, endpoint), when denied. */
  why?: string;
  /** Present for requests AWS makes on the caller's behalf (KMS behind SNS/SQS). */
  impliedBy?: string;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The role's inline policies, resolved. Managed policies cannot be read offline: a role with any fails the check. */
export function rolePolicies(stack: ResolvedStack, roleId: string): { name: string; policy: Obj }[] {
  const props = stack.resource(roleId).Properties ?? {};
  if (list(props['ManagedPolicyArns'] as unknown[]).length > 0)
    throw new Error(`${roleId}: managed policies are not modelled by test/support/iam-check.ts`);
  return list(props['Policies'] as { PolicyName: unknown; PolicyDocument: unknown }[]).map((p) => ({
    name: String(stack.resolve(p.PolicyName)),
    policy: stack.resolve(p.PolicyDocument) as Obj,
  }));
}

/** The stack's policy on a resource ARN (SNS topic, SQS queue or KMS key), if it defines one. */
export function resourcePolicyOf(stack: ResolvedStack, arn: string): Obj | undefined {
  for (const [, r] of stack.of('AWS::SNS::TopicPolicy'))
    if ((stack.resolve(r.Properties?.['Topics']) as string[]).includes(arn))
      return stack.resolve(r.Properties?.['PolicyDocument']) as Obj;
  for (const [, r] of stack.of('AWS::SQS::QueuePolicy')) {
    const queues = list(r.Properties?.['Queues'] as unknown[]).map((q) => {
      const id = (q as { Ref?: string }).Ref;
      return id ? stack.getAtt(id, 'Arn') : String(stack.resolve(q));
    });
    if (queues.includes(arn)) return stack.resolve(r.Properties?.['PolicyDocument']) as Obj;
  }
  for (const [id, r] of stack.of('AWS::KMS::Key'))
    if (stack.getAtt(id, 'Arn') === arn) return stack.resolve(r.Properties?.['KeyPolicy']) as Obj;
  return undefined;
}

/** The KMS key an SNS topic or SQS queue of the stack is encrypted with, as an ARN. */
function encryptionKeyOf(stack: ResolvedStack, arn: string): string | undefined {
  for (const type of ['AWS::SNS::Topic', 'AWS::SQS::Queue'])
    for (const [id, r] of stack.of(type)) {
      if (stack.getAtt(id, 'Arn') !== arn) continue;
      const key = r.Properties?.['KmsMasterKeyId'];
      return key === undefined ? undefined : String(stack.resolve(key));
    }
  return undefined;
}

/** The VPC the function runs in (private mode), from its VpcConfig subnets' endpoints' VpcId. */
function vpcOf(stack: ResolvedStack, fn: DeployedFunction): string | undefined {
  const vpcConfig = stack.resource(fn.id).Properties?.['VpcConfig'];
  if (vpcConfig === undefined) return undefined;
  const endpoints = stack.of('AWS::EC2::VPCEndpoint');
  const vpc = endpoints[0]?.[1].Properties?.['VpcId'];
  return vpc === undefined ? 'vpc-unknown' : String(stack.resolve(vpc));
}

/** The endpoint policy a call from a VPC function passes, or undefined when no endpoint serves the service. */
function endpointPolicyFor(stack: ResolvedStack, signingName: string): Obj | undefined {
  // Interface and gateway endpoint service names are the SigV4 signing names (`monitoring` for CloudWatch too).
  const service = signingName;
  for (const [, r] of stack.of('AWS::EC2::VPCEndpoint')) {
    const name = String(stack.resolve(r.Properties?.['ServiceName']));
    if (name === `com.amazonaws.${stack.region}.${service}`)
      return (stack.resolve(r.Properties?.['PolicyDocument']) as Obj | undefined) ?? { Statement: [] };
  }
  return undefined;
}

interface Judge {
  stack: ResolvedStack;
  fn: DeployedFunction;
  request: IamRequest;
  /** The service making the request on the caller's behalf (KMS via SNS/SQS/S3). */
  viaService?: string;
  endpoint?: { policy: Obj | undefined; service: string };
}

async function judge({ stack, fn, request, viaService, endpoint }: Judge): Promise<{ result: string; why?: string }> {
  const roleName = stack.ref(fn.roleId);
  const vpc = vpcOf(stack, fn);
  if (endpoint && endpoint.policy === undefined)
    return { result: 'NoEndpoint', why: `no VPC endpoint for ${endpoint.service} in the private subnets` };
  const context: Record<string, string> = {
    'aws:SecureTransport': 'true',
    'aws:PrincipalAccount': stack.account,
    'aws:PrincipalArn': fn.roleArn,
    'aws:PrincipalType': 'AssumedRole',
  };
  if (vpc !== undefined && !viaService) context['aws:SourceVpc'] = vpc;
  if (viaService) context['kms:ViaService'] = `${viaService}.${stack.region}.amazonaws.com`;
  const resourcePolicy = request.resource === '*' ? undefined : resourcePolicyOf(stack, request.resource);
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${stack.account}:assumed-role/${roleName}/${fn.name}`,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: rolePolicies(stack, fn.roleId),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(endpoint?.policy
      ? { vpcEndpointPolicies: [{ name: `${endpoint.service}-endpoint`, policy: endpoint.policy }] }
      : {}),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error')
    return { result: 'SimulationError', why: JSON.stringify(response.errors).slice(0, 400) };
  if (response.overallResult === 'Allowed') return { result: 'Allowed' };
  const analysis = response.resultType === 'single' ? response.result.analysis : undefined;
  const parts = Object.entries(analysis ?? {})
    .filter(([k, v]) => k.endsWith('Analysis') && typeof v === 'object' && v !== null && 'result' in v)
    .map(([k, v]) => `${k.replace(/Analysis$/, '')}: ${String((v as { result: string }).result)}`);
  return { result: response.overallResult, why: parts.join(', ') };
}

/** Judge every call one function made (deduplicated by action + resource), with the requests it implies. */
export async function checkCalls(
  stack: ResolvedStack,
  fn: DeployedFunction,
  calls: readonly AwsCall[],
): Promise<Verdict[]> {
  const seen = new Set<string>();
  const verdicts: Verdict[] = [];
  const inVpc = vpcOf(stack, fn) !== undefined;
  for (const [i, call] of calls.entries()) {
    let requests: IamRequest[];
    try {
      requests = await iamRequestsOf(call, stack.account, calls.slice(0, i));
    } catch (error) {
      verdicts.push({
        fn: fn.handler,
        action: `${call.signingName}:${call.operation}`,
        resource: '?',
        result: 'Unmapped',
        why: (error as Error).message,
      });
      continue;
    }
    for (const request of requests) await judgeOne(call, request);
  }
  return verdicts;

  async function judgeOne(call: AwsCall, request: IamRequest): Promise<void> {
    const key = `${request.action} ${request.resource}`;
    if (seen.has(key)) return;
    seen.add(key);
    const endpoint = inVpc
      ? {
          policy: endpointPolicyFor(stack, call.signingName),
          service: call.signingName,
        }
      : undefined;
    verdicts.push({
      fn: fn.handler,
      ...request,
      ...(await judge({ stack, fn, request, ...(endpoint ? { endpoint } : {}) })),
    });
    for (const implied of impliedRequests(stack, request)) {
      const k = `${implied.request.action} ${implied.request.resource}`;
      if (seen.has(k)) continue;
      seen.add(k);
      verdicts.push({
        fn: fn.handler,
        ...implied.request,
        impliedBy: request.action,
        ...(await judge({ stack, fn, request: implied.request, viaService: implied.via })),
      });
    }
  }
}

/** KMS requests SNS / SQS make with the caller's permissions for an SSE-KMS topic or queue. */
function impliedRequests(stack: ResolvedStack, request: IamRequest): { request: IamRequest; via: string }[] {
  const producer: Record<string, string[]> = {
    'sns:Publish': ['kms:GenerateDataKey', 'kms:Decrypt'],
    'sqs:SendMessage': ['kms:GenerateDataKey', 'kms:Decrypt'],
    'sqs:SendMessageBatch': ['kms:GenerateDataKey', 'kms:Decrypt'],
    'sqs:ReceiveMessage': ['kms:Decrypt'],
  };
  const actions = producer[request.action];
  if (!actions || request.resource === '*') return [];
  const key = encryptionKeyOf(stack, request.resource);
  if (key === undefined) return [];
  const via = request.action.split(':')[0] ?? '';
  return actions.map((action) => ({
    request: { action, resource: key, resourceAccount: key.split(':')[4] ?? stack.account },
    via,
  }));
}

/** One line per denied verdict, for an assertion message. */
export function describeDenials(verdicts: readonly Verdict[]): string[] {
  return verdicts
    .filter((v) => v.result !== 'Allowed')
    .map(
      (v) =>
        `${v.fn}: ${v.action} on ${v.resource}${v.impliedBy ? ` (implied by ${v.impliedBy})` : ''} → ${v.result}${v.why ? ` (${v.why})` : ''}`,
    );
}
