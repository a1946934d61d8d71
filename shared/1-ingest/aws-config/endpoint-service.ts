import * as z from 'zod';
import type {
  EndpointServiceAcceptanceDelta,
  EndpointServicePermissionDelta,
  NetworkDelta,
} from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { setDifference } from './extractor.ts';
import { ciObject, optionalBoolean, optionalList, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::VPCEndpointService` → {@link EndpointServicePermissionDelta}s (allowed principals) and an
 * {@link EndpointServiceAcceptanceDelta} (`acceptanceRequired`). The configuration is the
 * `DescribeVpcEndpointServiceConfigurations` shape (`serviceId`, `acceptanceRequired`, …). Allowed principals are not
 * part of that API (they come from `DescribeVpcEndpointServicePermissions`: `[{principal, principalType}]`); the
 * published Config schema does not show where Config puts them, so both `configuration.allowedPrincipals` and
 * `supplementaryConfiguration.AllowedPrincipals` are read, as strings or `{principal}` objects.
 * A discovered service reports its acceptance setting as `added` so a rule can judge `false` at birth.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceConfiguration.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AllowedPrincipal.html
 * @see https://github.com/awslabs/aws-config-resource-schema/blob/master/config/properties/resource-types/AWS%3A%3AEC2%3A%3AVPCEndpointService.properties.json
 */
const Principal = z.lazy(() => z.union([z.string(), ciObject({ principal: z.string() })]));
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      serviceId: optionalString,
      acceptanceRequired: optionalBoolean,
      allowedPrincipals: optionalList(Principal),
    }),
    supplementaryConfiguration: ciObject({ allowedPrincipals: optionalList(Principal) }),
  }),
);
type State = z.output<typeof State>;

function principals(state: State | undefined): string[] {
  if (state === undefined) return [];
  return [...state.configuration.allowedPrincipals, ...state.supplementaryConfiguration.allowedPrincipals].map((p) =>
    typeof p === 'string' ? p : p.principal,
  );
}

export const endpointService: Extractor = (input) => {
  const before = input.read(State, 'before');
  const after = input.read(State, 'after');
  const serviceId = after?.configuration.serviceId ?? before?.configuration.serviceId ?? input.resourceId;
  const { added, removed } = setDifference(principals(before), principals(after), (p) => p);
  const out: NetworkDelta[] = [
    ...added.map(
      (principal): EndpointServicePermissionDelta => ({
        kind: 'endpoint-service-permission',
        op: 'added',
        serviceId,
        principal,
      }),
    ),
    ...removed.map(
      (principal): EndpointServicePermissionDelta => ({
        kind: 'endpoint-service-permission',
        op: 'removed',
        serviceId,
        principal,
      }),
    ),
  ];
  const now = after?.configuration.acceptanceRequired;
  const was = before?.configuration.acceptanceRequired;
  if (now !== undefined && before === undefined && input.lifecycle === 'created') {
    out.push({ kind: 'endpoint-service-acceptance', op: 'added', serviceId, acceptanceRequired: now });
  } else if (now !== undefined && before !== undefined && was !== now) {
    const delta: EndpointServiceAcceptanceDelta = {
      kind: 'endpoint-service-acceptance',
      op: 'changed',
      serviceId,
      acceptanceRequired: now,
    };
    if (was !== undefined) delta.before = was;
    out.push(delta);
  }
  return out;
};
