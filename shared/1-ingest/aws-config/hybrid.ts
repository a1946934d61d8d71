import * as z from 'zod';
import type { HybridLinkDelta } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { existenceOp, setDifference } from './extractor.ts';
import { ciObject, optionalList, optionalString } from './field-case.ts';

/**
 * Hybrid connectivity → {@link HybridLinkDelta}s: links that bring outside networks into a VPC.
 * - `AWS::EC2::VPNConnection` (`DescribeVpnConnections` shape) and `AWS::EC2::CustomerGateway` (`ipAddress` = the
 *   on-premises peer): `added` on discovery, `removed` on deletion or when the state reaches `deleted`.
 * - `AWS::EC2::TransitGatewayAttachment`: Config uses the CloudFormation shape (`Id`, `TransitGatewayId`, `VpcId`);
 *   the `DescribeTransitGatewayAttachments` shape (`resourceType` vpc|peering, `resourceOwnerId`) is read too.
 * - `AWS::EC2::VPNGateway`: the attachment to a VPC is the link, from `vpcAttachments [{vpcId, state}]` (set
 *   difference, so attach/detach on an existing gateway count, and a gateway alone connects nothing).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpnConnection.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CustomerGateway.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGatewayAttachment.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpnGateway.html
 * @see https://github.com/awslabs/aws-config-resource-schema (TransitGatewayAttachment: `Id`, `VpcId`)
 */
const StateField = z.lazy(() => z.union([z.string(), ciObject({ value: optionalString })]).nullish());
function stateText(state: z.output<typeof StateField>): string | undefined {
  return (typeof state === 'string' ? state : state?.value)?.toLowerCase();
}

const GONE = new Set(['deleted', 'deleting']);

/** `added`/`removed` by item lifecycle, or by the resource's own state reaching `deleted` under status OK. */
function linkOp(
  lifecycle: Parameters<typeof existenceOp>[0],
  was: string | undefined,
  now: string | undefined,
): 'added' | 'removed' | undefined {
  const op = existenceOp(lifecycle);
  if (op === 'added' && now !== undefined && GONE.has(now)) return undefined;
  if (op !== undefined) return op;
  if (now !== undefined && GONE.has(now) && !(was !== undefined && GONE.has(was))) return 'removed';
  return undefined;
}

/**
 * A link item's op by {@link linkOp} from the `state` of its two sides, and its configuration (after, else before);
 * undefined when the link neither appeared nor went. The VPN connection, customer gateway and transit gateway
 * attachment read this way.
 */
function linkChange<C extends { state?: z.output<typeof StateField> }>(
  input: Parameters<Extractor>[0],
  schema: z.ZodType<{ configuration?: C | undefined }>,
): { op: 'added' | 'removed'; config: C | undefined } | undefined {
  const before = input.read(schema, 'before')?.configuration;
  const after = input.read(schema, 'after')?.configuration;
  const op = linkOp(input.lifecycle, stateText(before?.state), stateText(after?.state));
  return op === undefined ? undefined : { op, config: after ?? before };
}

const VpnState = z.lazy(() =>
  ciObject({
    configuration: ciObject({ vpnConnectionId: optionalString, customerGatewayId: optionalString, state: StateField }),
  }),
);
export const vpnConnection: Extractor = (input) => {
  const change = linkChange(input, VpnState);
  if (change === undefined) return [];
  const { op, config } = change;
  return [{ kind: 'hybrid-link', op, link: 'vpn-connection', id: config?.vpnConnectionId ?? input.resourceId }];
};

const CustomerGatewayState = z.lazy(() =>
  ciObject({
    configuration: ciObject({ customerGatewayId: optionalString, ipAddress: optionalString, state: StateField }),
  }),
);
export const customerGateway: Extractor = (input) => {
  const change = linkChange(input, CustomerGatewayState);
  if (change === undefined) return [];
  const { op, config } = change;
  const delta: HybridLinkDelta = {
    kind: 'hybrid-link',
    op,
    link: 'customer-gateway',
    id: config?.customerGatewayId ?? input.resourceId,
  };
  if (config?.ipAddress !== undefined) delta.peerAddress = config.ipAddress;
  return [delta];
};

const TgwAttachmentState = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      id: optionalString,
      transitGatewayAttachmentId: optionalString,
      vpcId: optionalString,
      resourceType: optionalString,
      resourceId: optionalString,
      resourceOwnerId: optionalString,
      state: StateField,
    }),
  }),
);
export const transitGatewayAttachment: Extractor = (input) => {
  const change = linkChange(input, TgwAttachmentState);
  if (change === undefined) return [];
  const { op, config } = change;
  const peeringAttachment = config?.resourceType?.toLowerCase() === 'peering';
  const vpcId = config?.vpcId ?? (config?.resourceType?.toLowerCase() === 'vpc' ? config.resourceId : undefined);
  const delta: HybridLinkDelta = {
    kind: 'hybrid-link',
    op,
    link: peeringAttachment ? 'transit-gateway-peering' : 'transit-gateway-vpc-attachment',
    id: config?.id ?? config?.transitGatewayAttachmentId ?? input.resourceId,
  };
  if (vpcId !== undefined && !peeringAttachment) delta.vpcId = vpcId;
  if (peeringAttachment && config?.resourceOwnerId !== undefined && config.resourceOwnerId !== input.account)
    delta.peerAccount = config.resourceOwnerId;
  return [delta];
};

const VpnGatewayState = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      vpnGatewayId: optionalString,
      vpcAttachments: optionalList(ciObject({ vpcId: optionalString, state: optionalString })),
    }),
  }),
);
const DETACHED = new Set(['detaching', 'detached']);
export const vpnGateway: Extractor = (input) => {
  const before = input.read(VpnGatewayState, 'before')?.configuration;
  const after = input.read(VpnGatewayState, 'after')?.configuration;
  const attached = (config: typeof before): string[] =>
    (config?.vpcAttachments ?? []).flatMap((a) =>
      a.vpcId !== undefined && !DETACHED.has(a.state?.toLowerCase() ?? '') ? [a.vpcId] : [],
    );
  const id = (after ?? before)?.vpnGatewayId ?? input.resourceId;
  const { added, removed } = setDifference(attached(before), attached(after), (v) => v);
  const delta = (op: 'added' | 'removed', vpcId: string): HybridLinkDelta => ({
    kind: 'hybrid-link',
    op,
    link: 'vpn-gateway-attachment',
    id,
    vpcId,
  });
  return [...added.map((v) => delta('added', v)), ...removed.map((v) => delta('removed', v))];
};
