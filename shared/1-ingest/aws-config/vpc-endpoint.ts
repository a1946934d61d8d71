import * as z from 'zod';
import type { EndpointPolicyDelta, PolicyState } from '../../model/change.ts';
import { PolicyParseError, parsePolicyDocument } from '../../net/policy-document.ts';
import type { ExtractInput, Extractor } from './extractor.ts';
import { stableKey } from './extractor.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::VPCEndpoint` → {@link EndpointPolicyDelta}. Config records the endpoint's `policyDocument` as a JSON
 * string (the `DescribeVpcEndpoints` field); a change arrives as `Configuration.PolicyDocument` UPDATE with the old
 * text in `previousValue`, so Config — unlike CloudTrail's `ModifyVpcEndpoint` — knows the policy before.
 * A discovered endpoint yields `added` (no before); an absent document is AWS's default full-access policy. Two
 * texts that parse to the same statements (whitespace, key order) are no change.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      vpcEndpointId: optionalString,
      serviceName: optionalString,
      policyDocument: z.unknown(),
    }),
  }),
);

export const vpcEndpoint: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  if (after === undefined) return [];
  const afterPolicy = policy(input, after.policyDocument, 'after');
  const endpointId = after.vpcEndpointId ?? input.resourceId;
  const base = {
    kind: 'endpoint-policy' as const,
    endpointId,
    ...(after.serviceName !== undefined ? { serviceName: after.serviceName } : {}),
  };
  if (before === undefined) return input.lifecycle === 'created' ? [{ ...base, op: 'added', after: afterPolicy }] : [];
  const beforePolicy = policy(input, before.policyDocument, 'before');
  if (stableKey(beforePolicy) === stableKey(afterPolicy)) return [];
  const delta: EndpointPolicyDelta = { ...base, op: 'changed', before: beforePolicy, after: afterPolicy };
  return [delta];
};

function policy(input: ExtractInput, document: unknown, side: 'before' | 'after'): PolicyState {
  try {
    return parsePolicyDocument(document);
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    return input.fail(side, ['configuration', 'policyDocument'], `policyDocument: ${error.message}`, error);
  }
}
