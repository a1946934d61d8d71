import type { EndpointPolicyDelta, PolicyState, ResourceRef } from '../../model/change.ts';
import { EC2, one, skip } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * VPC endpoint calls → {@link EndpointPolicyDelta}. An endpoint without a policy gets AWS's default full-access
 * policy, so "no PolicyDocument" on create and `ResetPolicy: true` on modify both mean `full-access`. CloudTrail
 * carries only the new policy, so `before` stays undefined. CloudTrail logs these calls both in the old lower-camel
 * shape and wrapped as `CreateVpcEndpointRequest` / `ModifyVpcEndpointRequest`; {@link Call.params} unwraps both.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpoint.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html (default policy = full access)
 */

const ENDPOINT_TYPE = 'AWS::EC2::VPCEndpoint';

function created(call: Call): Outcome {
  const endpoint = call.response.field('vpcEndpoint');
  const endpointId = call.required(endpoint.field('vpcEndpointId'));
  const serviceName = call.params.field('serviceName').str() ?? endpoint.field('serviceName').str();
  const vpcId = call.params.field('vpcId').str() ?? endpoint.field('vpcId').str();
  const policy = call.params.field('policyDocument');
  const after: PolicyState = call.policy(policy);
  const delta: EndpointPolicyDelta = { kind: 'endpoint-policy', op: 'added', endpointId, after };
  if (serviceName !== undefined) delta.serviceName = serviceName;
  const resource: ResourceRef = { type: ENDPOINT_TYPE, id: endpointId };
  if (vpcId !== undefined) resource.vpcId = vpcId;
  const notes = policy.present ? [] : ['created without a policy document: AWS applies its default full-access policy'];
  const accountHint = endpoint.field('ownerId').str();
  return one(resource, [delta], accountHint !== undefined ? { notes, accountHint } : { notes });
}

function modified(call: Call): Outcome {
  const endpointId = call.required(call.params.field('vpcEndpointId'));
  const policy = call.params.field('policyDocument');
  let after: PolicyState;
  if (policy.present) after = call.policy(policy);
  else if (call.params.field('resetPolicy').bool() === true) after = { kind: 'full-access' };
  else
    return skip(
      'ModifyVpcEndpoint without PolicyDocument or ResetPolicy (subnets, route tables, security groups, DNS): policy unchanged',
    );
  const delta: EndpointPolicyDelta = { kind: 'endpoint-policy', op: 'changed', endpointId, after };
  return one({ type: ENDPOINT_TYPE, id: endpointId }, [delta]);
}

/** VPC endpoint dispatch rows. */
export const ENDPOINT_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateVpcEndpoint', handle: created },
  { source: EC2, name: 'ModifyVpcEndpoint', handle: modified },
];
