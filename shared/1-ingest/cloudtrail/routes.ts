import type { RouteDelta, RouteTarget, RouteTargetKind, SubnetAssociationDelta } from '../../model/change.ts';
import { routeTargetKind } from '../../net/route-target.ts';
import { EC2, one, replacedAssociation } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';

/**
 * Route calls → {@link RouteDelta}. The target is whichever target field is present; `gatewayId` is overloaded (an
 * internet gateway, a virtual private gateway, a gateway VPC endpoint or `local`), so its kind comes from the id prefix.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html
 */

const ROUTE_TABLE_TYPE = 'AWS::EC2::RouteTable';

/** Target fields in the order AWS documents them, with the kind each implies. */
const TARGET_FIELDS: ReadonlyArray<[string, RouteTargetKind | 'by-prefix']> = [
  ['gatewayId', 'by-prefix'],
  ['egressOnlyInternetGatewayId', 'egress-only-internet-gateway'],
  ['natGatewayId', 'nat-gateway'],
  ['instanceId', 'instance'],
  ['networkInterfaceId', 'network-interface'],
  ['vpcPeeringConnectionId', 'vpc-peering'],
  ['transitGatewayId', 'transit-gateway'],
  ['carrierGatewayId', 'carrier-gateway'],
  ['localGatewayId', 'local-gateway'],
  ['coreNetworkArn', 'core-network'],
  ['vpcEndpointId', 'vpc-endpoint'],
];

function targetOf(call: Call): RouteTarget | undefined {
  for (const [name, kind] of TARGET_FIELDS) {
    const id = call.params.field(name).str();
    if (id !== undefined) return { kind: kind === 'by-prefix' ? routeTargetKind(id) : kind, id };
  }
  // ReplaceRoute can point a route back at the VPC's local target.
  if (call.params.field('localTarget').bool() === true) return { kind: 'local', id: 'local' };
  return undefined;
}

function destinationOf(call: Call): RouteDelta['destination'] {
  const v4 = call.params.field('destinationCidrBlock').str();
  if (v4 !== undefined) return { kind: 'cidr4', value: v4 };
  const v6 = call.params.field('destinationIpv6CidrBlock').str();
  if (v6 !== undefined) return { kind: 'cidr6', value: v6 };
  const pl = call.params.field('destinationPrefixListId').str();
  if (pl !== undefined) return { kind: 'prefix-list', value: pl };
  return call.fail(
    call.params.field('destinationCidrBlock'),
    'requestParameters.destinationCidrBlock missing (nor destinationIpv6CidrBlock, destinationPrefixListId)',
  );
}

function routeChange(op: RouteDelta['op']) {
  return (call: Call): Outcome => {
    const routeTableId = call.required(call.params.field('routeTableId'));
    const destination = destinationOf(call);
    let target: RouteTarget;
    if (op === 'removed') {
      // DeleteRoute names only the destination; the target that was removed is not logged.
      target = { kind: 'unknown' };
    } else {
      target =
        targetOf(call) ??
        call.fail(
          call.params.field('gatewayId'),
          'no route target (gatewayId, natGatewayId, transitGatewayId, … ) in requestParameters',
        );
    }
    const delta: RouteDelta = { kind: 'route', op, routeTableId, destination, target };
    // ReplaceRoute: the previous target is not in CloudTrail, so beforeTarget stays undefined.
    return one({ type: ROUTE_TABLE_TYPE, id: routeTableId }, [delta]);
  };
}

/**
 * AssociateRouteTable: a subnet now uses this table (kept in state: which subnets a default route makes public). A
 * gateway association (`gatewayId`, edge association) names no subnet and is recorded without one.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateRouteTable.html
 */
function associated(call: Call): Outcome {
  const routeTableId = call.required(call.params.field('routeTableId'));
  const subnetId = call.params.field('subnetId').str();
  const associationId = call.response.field('associationId').str();
  const delta: SubnetAssociationDelta = {
    kind: 'subnet-association',
    op: 'added',
    table: 'route-table',
    tableId: routeTableId,
    ...(subnetId !== undefined ? { subnetId } : {}),
    ...(associationId !== undefined ? { associationId } : {}),
  };
  return one({ type: ROUTE_TABLE_TYPE, id: routeTableId }, subnetId !== undefined ? [delta] : [], {
    notes: subnetId === undefined ? ['gateway (edge) association: no subnet'] : [],
  });
}

/**
 * ReplaceRouteTableAssociation moves a subnet (or the VPC's main association) to another table; DisassociateRouteTable
 * sends a subnet back to the main table. Both name only the association id (`rtbassoc-…`), not the subnet: the delta
 * carries it, and the state step resolves it to the subnet from the table that holds it (shared/3-state). Until then
 * nothing is keyed by it (state.ts `elementOps`), and the Config item of the table says the rest.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRouteTableAssociation.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisassociateRouteTable.html
 */
const replacedTableAssociation = replacedAssociation('route-table', 'routeTableId', ROUTE_TABLE_TYPE);

function disassociated(call: Call): Outcome {
  const associationId = call.required(call.params.field('associationId'));
  const delta: SubnetAssociationDelta = {
    kind: 'subnet-association',
    op: 'removed',
    table: 'route-table',
    tableId: '?',
    associationId,
  };
  return one({ type: ROUTE_TABLE_TYPE, id: associationId }, [delta]);
}

/** Route dispatch rows. */
export const ROUTE_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateRoute', handle: routeChange('added') },
  { source: EC2, name: 'ReplaceRoute', handle: routeChange('changed') },
  { source: EC2, name: 'DeleteRoute', handle: routeChange('removed') },
  { source: EC2, name: 'CreateRouteTable', ignore: 'a new route table holds only the local route' },
  { source: EC2, name: 'AssociateRouteTable', handle: associated },
  { source: EC2, name: 'ReplaceRouteTableAssociation', handle: replacedTableAssociation },
  { source: EC2, name: 'DisassociateRouteTable', handle: disassociated },
];
