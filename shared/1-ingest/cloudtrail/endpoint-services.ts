import type { EndpointServiceAcceptanceDelta, EndpointServicePermissionDelta } from '../../model/change.ts';
import { EC2, one, skip } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';

/**
 * PrivateLink endpoint-service calls. Allowing `*` makes the service public; with acceptance off, any account that
 * knows its name connects without review — so both the principal list and the acceptance flag are deltas.
 * CloudTrail logs these in the wrapped shape, principals as `{"tag": 1, "content": "arn:…"}` members.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpointServicePermissions.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpointServiceConfiguration.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpointServiceConfiguration.html
 */

const SERVICE_TYPE = 'AWS::EC2::VPCEndpointService';

function principals(call: Call, shape: Shape): string[] {
  return shape.list().map((member) => call.required(member));
}

function permissions(call: Call): Outcome {
  const serviceId = call.required(call.params.field('serviceId'));
  const listed = (field: string, op: 'added' | 'removed'): EndpointServicePermissionDelta[] =>
    principals(call, call.params.field(field)).map((principal) => ({
      kind: 'endpoint-service-permission',
      op,
      serviceId,
      principal,
    }));
  const deltas = [...listed('addAllowedPrincipals', 'added'), ...listed('removeAllowedPrincipals', 'removed')];
  if (deltas.length === 0) return skip('ModifyVpcEndpointServicePermissions with no principals added or removed');
  return one({ type: SERVICE_TYPE, id: serviceId }, deltas);
}

function configurationModified(call: Call): Outcome {
  const serviceId = call.required(call.params.field('serviceId'));
  const acceptanceRequired = call.params.field('acceptanceRequired').bool();
  if (acceptanceRequired === undefined)
    return skip(
      'ModifyVpcEndpointServiceConfiguration without AcceptanceRequired (load balancers, DNS, regions): acceptance unchanged',
    );
  const delta: EndpointServiceAcceptanceDelta = {
    kind: 'endpoint-service-acceptance',
    op: 'changed',
    serviceId,
    acceptanceRequired,
  };
  return one({ type: SERVICE_TYPE, id: serviceId }, [delta]);
}

/**
 * CreateVpcEndpointServiceConfiguration: the response's `serviceConfiguration.acceptanceRequired` is authoritative;
 * when it is missing we fall back to the request, then to `false` (the flag is optional; assuming the open setting is
 * the conservative reading) and say so.
 */
function configurationCreated(call: Call): Outcome {
  const config = call.response.field('serviceConfiguration');
  const serviceId = call.required(config.field('serviceId'));
  const known = config.field('acceptanceRequired').bool() ?? call.params.field('acceptanceRequired').bool();
  const notes = known === undefined ? ['acceptanceRequired not logged; assumed false'] : [];
  const delta: EndpointServiceAcceptanceDelta = {
    kind: 'endpoint-service-acceptance',
    op: 'added',
    serviceId,
    acceptanceRequired: known ?? false,
  };
  const name = config.field('serviceName').str();
  return one(
    name !== undefined ? { type: SERVICE_TYPE, id: serviceId, name } : { type: SERVICE_TYPE, id: serviceId },
    [delta],
    { notes },
  );
}

/** Endpoint-service dispatch rows. */
export const ENDPOINT_SERVICE_CALLS: CallEntry[] = [
  { source: EC2, name: 'ModifyVpcEndpointServicePermissions', handle: permissions },
  { source: EC2, name: 'ModifyVpcEndpointServiceConfiguration', handle: configurationModified },
  { source: EC2, name: 'CreateVpcEndpointServiceConfiguration', handle: configurationCreated },
];
