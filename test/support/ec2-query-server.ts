import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reply, startReceiver } from './http-receiver.ts';

/**
 * A minimal Amazon EC2 Query-protocol speaker on 127.0.0.1 answering the read-only Describe* calls from recorded
 * responses, so the real SDK v3 `EC2Client` talks to it over real HTTP (form-encoded request, XML response, EC2's error
 * envelope): serialization, signing, pagination fields and error parsing are the SDK's own, not a mock of `send`.
 * EC2 has no emulator here; this is the EC2 counterpart of the Config / CloudTrail answers from `aws-responses/`.
 *
 * A directory holds one file per operation, `<Operation>.json`: the operation's *unfiltered* response for one recorded
 * account — every item, element for element under EC2's XML names (`networkInterfaceSet`, `groupSet`, …; a list is a
 * JSON array of its `<item>`s). The speaker applies what the request asks the way EC2 does: `Filter.N.Name` /
 * `Filter.N.Value.M` (AND across filters, OR across a filter's values, exact match), and id lists (`VpcEndpointId.N`, …)
 * of which an id the recording lacks is EC2's `…NotFound` error. A filter name it does not model is refused loudly
 * (`InvalidParameterValue`), never ignored: an unmodelled filter would silently widen the answer.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Using_Filtering.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */

type Item = Record<string, unknown>;

/** Per operation: the item list's element, the filters modelled (name → item path), the id list parameter. */
interface OperationModel {
  set: string;
  filters: Record<string, string>;
  ids?: { parameter: string; field: string; notFound: string; what: string };
}

export const EC2_OPERATIONS: Record<string, OperationModel> = {
  DescribeNetworkInterfaces: {
    set: 'networkInterfaceSet',
    filters: {
      'group-id': 'groupSet.groupId',
      'network-interface-id': 'networkInterfaceId',
      'subnet-id': 'subnetId',
      'vpc-id': 'vpcId',
      description: 'description',
    },
    ids: {
      parameter: 'NetworkInterfaceId',
      field: 'networkInterfaceId',
      notFound: 'InvalidNetworkInterfaceID.NotFound',
      what: 'network interface',
    },
  },
  DescribeFlowLogs: {
    set: 'flowLogSet',
    filters: { 'resource-id': 'resourceId', 'log-group-name': 'logGroupName', 'flow-log-id': 'flowLogId' },
  },
  DescribeSubnets: {
    set: 'subnetSet',
    filters: { 'vpc-id': 'vpcId', 'subnet-id': 'subnetId' },
    ids: { parameter: 'SubnetId', field: 'subnetId', notFound: 'InvalidSubnetID.NotFound', what: 'subnet' },
  },
  DescribeRouteTables: {
    set: 'routeTableSet',
    filters: {
      'vpc-id': 'vpcId',
      'route-table-id': 'routeTableId',
      'association.subnet-id': 'associationSet.subnetId',
    },
    ids: {
      parameter: 'RouteTableId',
      field: 'routeTableId',
      notFound: 'InvalidRouteTableID.NotFound',
      what: 'route table',
    },
  },
  DescribeVpcEndpoints: {
    set: 'vpcEndpointSet',
    filters: { 'vpc-id': 'vpcId', 'vpc-endpoint-id': 'vpcEndpointId' },
    ids: {
      parameter: 'VpcEndpointId',
      field: 'vpcEndpointId',
      notFound: 'InvalidVpcEndpointId.NotFound',
      what: 'VPC endpoint',
    },
  },
  DescribeVpcEndpointServiceConfigurations: {
    set: 'serviceConfigurationSet',
    filters: { 'service-id': 'serviceId', 'service-name': 'serviceName' },
    ids: {
      parameter: 'ServiceId',
      field: 'serviceId',
      notFound: 'InvalidVpcEndpointServiceId.NotFound',
      what: 'VPC endpoint service',
    },
  },
};

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** JSON in EC2's element names → EC2's XML (arrays are lists of `<item>`). */
export function ec2Xml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => ec2Xml('item', v)).join('')}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value as Item)
      .map(([k, v]) => ec2Xml(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The values at a dotted path (`groupSet.groupId`), through lists. */
function valuesAt(item: unknown, path: string): string[] {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return [];
  const next = (item as Item | undefined)?.[head];
  const list = Array.isArray(next) ? next : [next];
  if (rest.length === 0)
    return list.filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map(String);
  return list.flatMap((v) => valuesAt(v, rest.join('.')));
}

/** `Prefix.1`, `Prefix.2`, … of a form (in index order). */
function listParameter(form: URLSearchParams, prefix: string): string[] {
  const out: [number, string][] = [];
  for (const [key, value] of form) {
    const m = new RegExp(`^${prefix}\\.(\\d+)$`).exec(key);
    if (m) out.push([Number(m[1]), value]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The request's filters: name → values. */
function filtersOf(form: URLSearchParams): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const [key, name] of form) {
    const m = /^Filter\.(\d+)\.Name$/.exec(key);
    if (m) filters.set(name, listParameter(form, `Filter\\.${m[1]}\\.Value`));
  }
  return filters;
}

class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The revert calls of the opt-in response (docs/response.md): answered as EC2 answers a success (`return` true) and
 * nothing recorded changes — the harness judges the request (its IAM check), not its effect.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
 */
const REVERT_OPERATIONS = new Set(['RevokeSecurityGroupIngress', 'DeleteRoute', 'ReplaceRoute']);

/** Answer one request from the recorded items of its operation (throws {@link Ec2Fault}). */
export function answerEc2(operation: string, form: URLSearchParams, recorded: Record<string, Item>): Item {
  if (operation === 'GetManagedPrefixListEntries') return prefixListEntries(form, recorded);
  if (REVERT_OPERATIONS.has(operation)) return { return: true };
  const model = EC2_OPERATIONS[operation];
  const response = recorded[operation];
  if (!model || !response)
    throw new Ec2Fault('InvalidAction', `The action ${operation} is not valid for this web service (no recording).`);
  let items = (response[model.set] as Item[] | undefined) ?? [];
  const ids = model.ids ? listParameter(form, model.ids.parameter) : [];
  if (model.ids && ids.length > 0) {
    const { field, notFound, what } = model.ids;
    const missing = ids.filter((id) => !items.some((i) => i[field] === id));
    if (missing.length > 0) throw new Ec2Fault(notFound, `The ${what} ID '${missing.join(', ')}' does not exist`);
    items = items.filter((i) => ids.includes(String(i[field])));
  }
  for (const [name, values] of filtersOf(form)) {
    const path = model.filters[name];
    if (path === undefined)
      throw new Ec2Fault(
        'InvalidParameterValue',
        `filter ${name} of ${operation} is not modelled by test/support/ec2-query-server.ts: add it to EC2_OPERATIONS`,
      );
    items = items.filter((i) => valuesAt(i, path).some((v) => values.includes(v)));
  }
  return { ...response, [model.set]: items };
}

/** Every `<Operation>.json` of a directory. */
export function readEc2Recordings(dir: string): Record<string, Item> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Item]),
  );
}

/** Start the speaker over the recordings in `dir`. */
export async function startEc2QueryServer(dir: string) {
  const recorded = readEc2Recordings(dir);
  const requestId = '7a62c49f-347e-4fc4-9331-6e8eEXAMPLE';
  return startReceiver((request, _n, res) => {
    const form = new URLSearchParams(request.body);
    const operation = form.get('Action') ?? '';
    try {
      const body = answerEc2(operation, form, recorded);
      const members = Object.entries(body)
        .map(([k, v]) => ec2Xml(k, v))
        .join('');
      reply(
        res,
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${members}</${operation}Response>`,
        { 'content-type': 'text/xml;charset=UTF-8' },
      );
    } catch (error) {
      const code = error instanceof Ec2Fault ? error.code : 'InternalError';
      reply(
        res,
        error instanceof Ec2Fault ? 400 : 500,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml((error as Error).message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        { 'content-type': 'text/xml;charset=UTF-8' },
      );
    }
  });
}

/**
 * GetManagedPrefixListEntries names one list (`PrefixListId`) and answers its `entrySet`; the recording maps list ids to
 * their answers. An unrecorded list is EC2's `InvalidPrefixListID.NotFound` (the state step then grades the worst case).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html
 */
function prefixListEntries(form: URLSearchParams, recorded: Record<string, Item>): Item {
  const id = form.get('PrefixListId') ?? '';
  const lists = recorded['GetManagedPrefixListEntries'] as Record<string, Item> | undefined;
  const answer = lists?.[id];
  if (answer === undefined)
    throw new Ec2Fault('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`);
  return answer;
}
