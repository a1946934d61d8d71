import type { LoadBalancerDelta, ResourceRef } from '../../model/change.ts';
import { accountFromArn } from './record.ts';
import { one } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * CreateLoadBalancer → {@link LoadBalancerDelta}. Both ELB APIs log under `elasticloadbalancing.amazonaws.com` with
 * the same event name: v2 (ALB/NLB/GWLB) takes `name` and `type`, Classic takes `loadBalancerName` and `listeners`.
 * Both default to `internet-facing` when `scheme` is omitted, and v2 defaults `type` to `application`.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 * @see https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_CreateLoadBalancer.html
 */

const ELB = 'elasticloadbalancing.amazonaws.com';
const V2_TYPES = ['application', 'network', 'gateway'] as const;

function isV2Type(value: string): value is (typeof V2_TYPES)[number] {
  return (V2_TYPES as readonly string[]).includes(value);
}

function schemeOf(value: string | undefined): LoadBalancerDelta['scheme'] {
  return value?.toLowerCase() === 'internal' ? 'internal' : 'internet-facing';
}

function created(call: Call): Outcome {
  const notes: string[] = [];
  const classicName = call.params.field('loadBalancerName').str();
  if (classicName !== undefined) {
    const scheme = schemeOf(call.params.field('scheme').str());
    if (call.params.field('scheme').str() === undefined) notes.push('scheme not given: AWS default internet-facing');
    const delta: LoadBalancerDelta = {
      kind: 'load-balancer',
      op: 'added',
      name: classicName,
      lbType: 'classic',
      scheme,
    };
    return one({ type: 'AWS::ElasticLoadBalancing::LoadBalancer', id: classicName, name: classicName }, [delta], {
      notes,
    });
  }
  const name = call.required(call.params.field('name'));
  const described = call.response.field('loadBalancers').list()[0];
  const arn = described?.field('loadBalancerArn').str();
  const givenScheme = call.params.field('scheme').str() ?? described?.field('scheme').str();
  if (givenScheme === undefined) notes.push('scheme not given: AWS default internet-facing');
  const typeText = (call.params.field('type').str() ?? described?.field('type').str() ?? 'application').toLowerCase();
  const lbType: LoadBalancerDelta['lbType'] = isV2Type(typeText) ? typeText : 'application';
  const delta: LoadBalancerDelta = { kind: 'load-balancer', op: 'added', name, lbType, scheme: schemeOf(givenScheme) };
  if (arn !== undefined) delta.arn = arn;
  // AWS Config identifies ELBv2 load balancers by ARN; fall back to the name when the response is missing.
  const resource: ResourceRef = { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: arn ?? name, name };
  if (arn !== undefined) resource.arn = arn;
  const vpcId = described?.field('vpcId').str();
  if (vpcId !== undefined) resource.vpcId = vpcId;
  const accountHint = accountFromArn(arn);
  return one(resource, [delta], accountHint !== undefined ? { notes, accountHint } : { notes });
}

/** Load-balancer dispatch rows. */
export const LOAD_BALANCER_CALLS: CallEntry[] = [{ source: ELB, name: 'CreateLoadBalancer', handle: created }];
