import * as z from 'zod';
import type { GatewayAttachmentDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { setDifference } from './extractor.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::InternetGateway` and `AWS::EC2::EgressOnlyInternetGateway` → {@link GatewayAttachmentDelta}s from
 * `configuration.attachments [{vpcId, state}]`. An attached internet gateway reports state `available` (not
 * `attached`), so every state except `detaching`/`detached` counts as attached. When an item carries no
 * `attachments` field at all, the relationship "Is attached to Vpc" stands in for it.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InternetGatewayAttachment.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html (relationships)
 */
const Attachment = z.lazy(() => ciObject({ vpcId: optionalString, state: optionalString }));
const Relationship = z.lazy(() =>
  ciObject({
    resourceId: optionalString,
    resourceType: optionalString,
    name: optionalString,
    relationshipName: optionalString,
  }),
);
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      internetGatewayId: optionalString,
      egressOnlyInternetGatewayId: optionalString,
      attachments: z.array(Attachment).nullish(),
    }),
    relationships: z.array(Relationship).nullish(),
  }),
);
type State = z.output<typeof State>;

const DETACHED = new Set(['detaching', 'detached']);

function attachedVpcs(state: State | undefined): string[] {
  if (state === undefined) return [];
  const { attachments } = state.configuration;
  if (attachments)
    return attachments.flatMap((a) =>
      a.vpcId !== undefined && !DETACHED.has(a.state?.toLowerCase() ?? '') ? [a.vpcId] : [],
    );
  return (state.relationships ?? []).flatMap((r) =>
    r.resourceType === 'AWS::EC2::VPC' &&
    /attached/i.test(r.name ?? r.relationshipName ?? '') &&
    r.resourceId !== undefined
      ? [r.resourceId]
      : [],
  );
}

function gatewayExtractor(kind: GatewayAttachmentDelta['gateway']['kind']): Extractor {
  return (input) => {
    const before = input.read(State, 'before');
    const after = input.read(State, 'after');
    const config = after?.configuration ?? before?.configuration;
    const id = config?.internetGatewayId ?? config?.egressOnlyInternetGatewayId ?? input.resourceId;
    const { added, removed } = setDifference(attachedVpcs(before), attachedVpcs(after), (v) => v);
    const delta = (op: 'added' | 'removed', vpcId: string): GatewayAttachmentDelta => ({
      kind: 'gateway-attachment',
      op,
      gateway: { kind, id },
      vpcId,
    });
    return [...added.map((v) => delta('added', v)), ...removed.map((v) => delta('removed', v))];
  };
}

export const internetGateway = gatewayExtractor('internet-gateway');
export const egressOnlyInternetGateway = gatewayExtractor('egress-only-internet-gateway');
