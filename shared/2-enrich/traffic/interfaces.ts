import type { EC2Client, Filter } from '@aws-sdk/client-ec2';
import { sdk } from '../../platform/aws/sdk.ts';
import { errorSummary, isAccessDenied, withRetry, type RetryOptions } from '../../platform/aws/retry.ts';

/**
 * Which network interfaces carry the traffic of a resource, and which flow logs record them — EC2 Describe* calls
 * only (read-only, no resource-level permissions). Used at deploy time (the PrivateLink targets custom resource: the
 * ENIs of named endpoints and endpoint services) and by the traffic-evidence step (the ENIs an exposed SG, endpoint,
 * endpoint service or route table reaches).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServiceConfigurations.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html
 */

/** A resource's interfaces, or why it has none. */
export interface Interfaces {
  /** ENI ids (sorted, unique). */
  enis: string[];
  /** Subnet and VPC of each ENI (flow logs may be attached to either). */
  placement: Record<string, { subnetId?: string; vpcId?: string }>;
  /** Why `enis` is empty, or other caveats. */
  notes: string[];
}

/** A flow log that delivers to CloudWatch Logs. */
export interface FlowLogTarget {
  flowLogId: string;
  /** The ENI, subnet or VPC it is attached to. */
  resourceId: string;
  logGroupName: string;
  /** `LogFormat` (`${version} …`); AWS returns the default format spelled out. */
  logFormat?: string;
  /** ACCEPT, REJECT or ALL. */
  trafficType?: string;
}

/** An id the caller named that EC2 does not know (or a gateway endpoint, which has no ENIs). */
export class InterfaceLookupError extends Error {}

/**
 * EC2 refused a look-up for lack of permission (`UnauthorizedOperation`: the role, an SCP, a permission boundary or
 * the EC2 endpoint's policy). `action` is the IAM action refused, so callers can say which one to grant.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html#CommonErrors
 */
export class DeniedCallError extends Error {
  override readonly name = 'DeniedCallError';
  constructor(
    readonly action: string,
    cause: unknown,
  ) {
    super(`${action} denied (${errorSummary(cause)})`, { cause });
  }
}

type Retry = Pick<RetryOptions, 'attempts' | 'sleep' | 'random'>;

/** One EC2 call (throttling retried); a refusal becomes a {@link DeniedCallError} naming `ec2:<operation>`. */
async function call<T>(operation: string, fn: () => Promise<T>, retry: Retry): Promise<T> {
  try {
    return (await withRetry(fn, retry)).value;
  } catch (error) {
    if (isAccessDenied(error)) throw new DeniedCallError(`ec2:${operation}`, error);
    throw error;
  }
}

/**
 * One EC2 Describe* call for one id: an id EC2 does not know (`…NotFound`, or an empty answer) becomes an
 * {@link InterfaceLookupError} saying `missing`; `pick` takes the one item out of the answer.
 */
async function describeOne<O, T>(
  operation: string,
  fn: () => Promise<O>,
  pick: (out: O) => T | undefined,
  missing: string,
  retry: Retry,
): Promise<T> {
  let out: O;
  try {
    out = await call(operation, fn, retry);
  } catch (error) {
    if (/NotFound/.test((error as Error).name ?? ''))
      throw new InterfaceLookupError(`${missing} (${errorSummary(error)})`, { cause: error });
    throw error;
  }
  const item = pick(out);
  if (!item) throw new InterfaceLookupError(missing);
  return item;
}

/** The pages of a paginated EC2 Describe* call (1,000 results a page), `send` given each page's paging fields. */
async function* pages<O extends { NextToken?: string | undefined }>(
  operation: string,
  send: (page: { MaxResults: number; NextToken?: string }) => Promise<O>,
  retry: Retry,
): AsyncGenerator<O> {
  let token: string | undefined;
  do {
    const out = await call(operation, () => send({ MaxResults: 1000, ...(token ? { NextToken: token } : {}) }), retry);
    yield out;
    token = out.NextToken;
  } while (token);
}

const CHUNK = 200;
function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** DescribeNetworkInterfaces with filters, every page. */
export async function describeInterfaces(ec2: EC2Client, filters: Filter[], retry: Retry = {}): Promise<Interfaces> {
  const api = sdk.ec2();
  const placement: Interfaces['placement'] = {};
  const send = (page: { MaxResults: number; NextToken?: string }) =>
    ec2.send(new api.DescribeNetworkInterfacesCommand({ Filters: filters, ...page }));
  for await (const out of pages('DescribeNetworkInterfaces', send, retry))
    for (const eni of out.NetworkInterfaces ?? [])
      if (eni.NetworkInterfaceId)
        placement[eni.NetworkInterfaceId] = {
          ...(eni.SubnetId ? { subnetId: eni.SubnetId } : {}),
          ...(eni.VpcId ? { vpcId: eni.VpcId } : {}),
        };
  return { enis: Object.keys(placement).sort(), placement, notes: [] };
}

/** The ENIs a security group is attached to. */
export async function interfacesOfSecurityGroup(
  ec2: EC2Client,
  groupId: string,
  retry: Retry = {},
): Promise<Interfaces> {
  const found = await describeInterfaces(ec2, [{ Name: 'group-id', Values: [groupId] }], retry);
  if (found.enis.length === 0) found.notes.push(`${groupId} is attached to no network interface`);
  return found;
}

/** The ENIs of interface / Gateway Load Balancer endpoints (gateway endpoints have none: they are route targets). */
export async function interfacesOfEndpoint(ec2: EC2Client, endpointId: string, retry: Retry = {}): Promise<Interfaces> {
  const api = sdk.ec2();
  const endpoint = await describeOne(
    'DescribeVpcEndpoints',
    () => ec2.send(new api.DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] })),
    (out) => out.VpcEndpoints?.[0],
    `${endpointId}: no such VPC endpoint in this account and region`,
    retry,
  );
  const enis = [...(endpoint.NetworkInterfaceIds ?? [])].sort();
  if (enis.length === 0)
    return {
      enis,
      placement: {},
      notes: [
        `${endpointId} is a ${endpoint.VpcEndpointType ?? 'gateway'} endpoint: it has no network interface, so flow logs cannot attribute traffic to it`,
      ],
    };
  const found = await describeInterfaces(ec2, [{ Name: 'network-interface-id', Values: enis }], retry);
  return { ...found, enis };
}

/**
 * The ENIs of an endpoint service's load balancers (provider side): the service's Network / Gateway Load Balancers,
 * whose ENIs EC2 describes as `ELB net/<name>/<id>` (`ELB gwy/…` for GWLB).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#network-load-balancer-attributes
 */
export async function interfacesOfEndpointService(
  ec2: EC2Client,
  serviceId: string,
  retry: Retry = {},
): Promise<Interfaces> {
  const api = sdk.ec2();
  const config = await describeOne(
    'DescribeVpcEndpointServiceConfigurations',
    () => ec2.send(new api.DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] })),
    (out) => out.ServiceConfigurations?.[0],
    `${serviceId}: no such endpoint service owned by this account in this region`,
    retry,
  );
  const descriptions = [...(config.NetworkLoadBalancerArns ?? []), ...(config.GatewayLoadBalancerArns ?? [])].flatMap(
    (arn) => {
      const m = /:loadbalancer\/((?:net|gwy)\/[^/]+\/[^/]+)$/.exec(arn);
      return m ? [`ELB ${m[1]}`] : [];
    },
  );
  if (descriptions.length === 0)
    return { enis: [], placement: {}, notes: [`${serviceId} names no Network or Gateway Load Balancer`] };
  return describeInterfaces(ec2, [{ Name: 'description', Values: descriptions }], retry);
}

/**
 * The ENIs in the subnets a route table serves: its explicit subnet associations, and — for the VPC's main route
 * table — every subnet of the VPC without an explicit association.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html#RouteTables
 */
export async function interfacesOfRouteTable(
  ec2: EC2Client,
  routeTableId: string,
  retry: Retry = {},
): Promise<Interfaces> {
  const api = sdk.ec2();
  const out = await call(
    'DescribeRouteTables',
    () => ec2.send(new api.DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] })),
    retry,
  );
  const table = out.RouteTables?.[0];
  if (!table) throw new InterfaceLookupError(`${routeTableId}: no such route table in this account and region`);
  const subnets = new Set((table.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])));
  if ((table.Associations ?? []).some((a) => a.Main) && table.VpcId) {
    const vpcId = table.VpcId;
    const all = await call(
      'DescribeSubnets',
      () => ec2.send(new api.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
      retry,
    );
    const tables = await call(
      'DescribeRouteTables',
      () => ec2.send(new api.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
      retry,
    );
    const explicit = new Set(
      (tables.RouteTables ?? []).flatMap((t) =>
        (t.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
      ),
    );
    for (const s of all.Subnets ?? []) if (s.SubnetId && !explicit.has(s.SubnetId)) subnets.add(s.SubnetId);
  }
  if (subnets.size === 0) return { enis: [], placement: {}, notes: [`${routeTableId} is associated with no subnet`] };
  const merged: Interfaces = { enis: [], placement: {}, notes: [] };
  for (const part of chunks([...subnets].sort())) {
    const found = await describeInterfaces(ec2, [{ Name: 'subnet-id', Values: part }], retry);
    Object.assign(merged.placement, found.placement);
  }
  merged.enis = Object.keys(merged.placement).sort();
  if (merged.enis.length === 0) merged.notes.push(`the subnets of ${routeTableId} hold no network interface`);
  return merged;
}

/**
 * Flow logs delivering to CloudWatch Logs for any of these ENIs, subnets or VPCs. Flow logs to S3 or Firehose are
 * left out (Logs Insights cannot read them); `others` counts them so the evidence can say so.
 */
export async function flowLogsFor(
  ec2: EC2Client,
  resourceIds: readonly string[],
  retry: Retry = {},
): Promise<{ cloudWatch: FlowLogTarget[]; others: number }> {
  const api = sdk.ec2();
  const cloudWatch: FlowLogTarget[] = [];
  let others = 0;
  for (const part of chunks([...new Set(resourceIds)])) {
    const send = (page: { MaxResults: number; NextToken?: string }) =>
      ec2.send(new api.DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: part }], ...page }));
    for await (const out of pages('DescribeFlowLogs', send, retry))
      for (const f of out.FlowLogs ?? []) {
        if (f.FlowLogStatus && f.FlowLogStatus !== 'ACTIVE') continue;
        if ((f.LogDestinationType ?? 'cloud-watch-logs') !== 'cloud-watch-logs' || !f.LogGroupName) {
          others += 1;
          continue;
        }
        cloudWatch.push(flowLogTarget(f, f.LogGroupName));
      }
  }
  return { cloudWatch, others };
}

/** A DescribeFlowLogs entry writing to CloudWatch Logs group `logGroupName`, as a target. */
function flowLogTarget(
  f: { FlowLogId?: string; ResourceId?: string; LogFormat?: string; TrafficType?: string },
  logGroupName: string,
): FlowLogTarget {
  return {
    flowLogId: f.FlowLogId ?? '?',
    resourceId: f.ResourceId ?? '?',
    logGroupName,
    ...(f.LogFormat ? { logFormat: f.LogFormat } : {}),
    ...(f.TrafficType ? { trafficType: f.TrafficType } : {}),
  };
}

/** Flow logs delivering into these log groups (deploy time: what format do they write?). */
export async function flowLogsInGroups(
  ec2: EC2Client,
  logGroups: readonly string[],
  retry: Retry = {},
): Promise<FlowLogTarget[]> {
  const api = sdk.ec2();
  const found: FlowLogTarget[] = [];
  const send = (page: { MaxResults: number; NextToken?: string }) =>
    ec2.send(
      new api.DescribeFlowLogsCommand({ Filter: [{ Name: 'log-group-name', Values: [...logGroups] }], ...page }),
    );
  for await (const out of pages('DescribeFlowLogs', send, retry))
    for (const f of out.FlowLogs ?? []) if (f.LogGroupName) found.push(flowLogTarget(f, f.LogGroupName));
  return found;
}
