import * as z from 'zod';
import type { PeeringDelta, PeeringSide } from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { ciObject, optionalString } from './field-case.ts';

/**
 * `AWS::EC2::VPCPeeringConnection` → {@link PeeringDelta}. The configuration is the `DescribeVpcPeeringConnections`
 * shape: `requesterVpcInfo` / `accepterVpcInfo` `{ownerId, region, vpcId}` and `status {code}` (the Config schema
 * lists `status` as a plain string, so both spellings are read). AWS's status codes collapse onto the model's
 * states: `initiating-request`/`pending-acceptance` → requested, `provisioning`/`active` → accepted,
 * `deleting`/`deleted`/`expired` → deleted, `rejected`/`failed` → rejected.
 * Discovery → `added`; a state move → `changed` (or `removed` once deleted); item deletion → `removed`.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcPeeringConnectionStateReason.html
 * @see https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-lifecycle
 */
const VpcInfo = z.lazy(() =>
  ciObject({ ownerId: optionalString, region: optionalString, vpcId: optionalString }).nullish(),
);
const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      vpcPeeringConnectionId: optionalString,
      requesterVpcInfo: VpcInfo,
      accepterVpcInfo: VpcInfo,
      status: z.union([z.string(), ciObject({ code: optionalString })]).nullish(),
    }),
  }),
);
type Config = z.output<typeof State>['configuration'];

const STATES: Readonly<Record<string, PeeringDelta['state']>> = {
  'initiating-request': 'requested',
  'pending-acceptance': 'requested',
  provisioning: 'accepted',
  active: 'accepted',
  deleting: 'deleted',
  deleted: 'deleted',
  expired: 'deleted',
  rejected: 'rejected',
  failed: 'rejected',
};

function stateOf(config: Config | undefined): PeeringDelta['state'] | undefined {
  const status = config?.status;
  const code = typeof status === 'string' ? status : status?.code;
  return code === undefined ? undefined : STATES[code.toLowerCase()];
}

function side(info: z.output<typeof VpcInfo>): PeeringSide {
  return {
    ...(info?.vpcId !== undefined ? { vpcId: info.vpcId } : {}),
    ...(info?.ownerId !== undefined ? { account: info.ownerId } : {}),
    ...(info?.region !== undefined ? { region: info.region } : {}),
  };
}

export const peering: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  const config = after ?? before;
  const base = {
    kind: 'peering' as const,
    connectionId: config?.vpcPeeringConnectionId ?? input.resourceId,
    requester: side(config?.requesterVpcInfo),
    accepter: side(config?.accepterVpcInfo),
  };
  if (input.lifecycle === 'deleted') return [{ ...base, op: 'removed', state: 'deleted' }];
  const now = stateOf(after);
  if (now === undefined) return [];
  if (input.lifecycle === 'created') return [{ ...base, op: now === 'deleted' ? 'removed' : 'added', state: now }];
  const was = stateOf(before);
  if (was === now) return [];
  return [{ ...base, op: now === 'deleted' ? 'removed' : 'changed', state: now }];
};
