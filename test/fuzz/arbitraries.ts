import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';

/**
 * fast-check generators for what Netwatch reads: CloudTrail records, Config messages, IAM policies, and the
 * transports AWS nests them in. Generation starts from the real-shaped samples in events/ (so most cases reach deep
 * into the sources and rules instead of dying at the first key check) and then mutates them: subtrees replaced by
 * arbitrary JSON, keys deleted, newer EC2 APIs' `{tag, content}` list items and `{"<Action>Request": …}` wrappers,
 * random CIDRs and ports, random policy documents.
 */

/** Parsed samples of one events/ folder. */
function samples(folder: 'cloudtrail' | 'config'): Record<string, unknown>[] {
  const dir = new URL(`../../events/${folder}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown>);
}

const CLOUDTRAIL = samples('cloudtrail');
const CONFIG = samples('config');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const clone = <T>(v: T): T => structuredClone(v);

/** The value as a plain object, if it is one (an edit may have replaced the root with anything). */
function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Every path to a node (objects and arrays included) in a JSON value. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

const DELETE = Symbol('delete');
type Edit = { pick: number; to: Json | typeof DELETE | 'tag-wrap' | 'request-wrap' };

/** Apply edits at paths chosen by index (modulo the current number of paths), so shrinking stays meaningful. */
function applyEdits(base: unknown, edits: readonly Edit[]): unknown {
  let root = clone(base);
  for (const edit of edits) {
    const all = paths(root);
    const path = all[edit.pick % all.length] ?? [];
    const replace = (old: unknown): unknown => {
      if (edit.to === 'tag-wrap')
        return Array.isArray(old)
          ? { items: old.map((content, i) => ({ tag: i + 1, content })) }
          : { tag: 1, content: old };
      if (edit.to === 'request-wrap') return { ModifyVpcEndpointRequest: old };
      return clone(edit.to); // generated constants are shared instances: inserting one twice could build a cycle
    };
    if (path.length === 0) {
      if (edit.to !== DELETE) root = replace(root);
      continue;
    }
    let parent: unknown = root;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = path[path.length - 1] as string | number;
    if (Array.isArray(parent)) {
      if (edit.to === DELETE) parent.splice(Number(last), 1);
      else parent[Number(last)] = replace(parent[Number(last)]);
    } else if (parent !== null && typeof parent === 'object') {
      const obj = parent as Record<string, unknown>;
      if (edit.to === DELETE) delete obj[String(last)];
      else obj[String(last)] = replace(obj[String(last)]);
    }
  }
  return root;
}

/** CIDRs that matter to the rules: world, host bits set under /0, halves of the space, IPv6, junk. */
export const cidr: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0.0.0.0/0',
    '::/0',
    '0.0.0.0/1',
    '128.0.0.0/1',
    '208.236.235.254/0',
    '10.0.0.0/8',
    '2001:db8::/32',
    '1.2.3.4/33',
    '300.1.1.1/8',
    '',
    '/',
  ),
  fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, p]) => `${ip}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 129 })).map(([ip, p]) => `${ip}/${p}`),
);

export const port: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -2, max: 70_000 }),
  fc.constantFrom('22', '-1', 'all', null, 3.5),
);

/** Values likely to confuse a reader: other types, empty containers, big numbers, tricky strings. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    '',
    ' ',
    '*',
    '[]',
    '{}',
    'null',
    '__proto__',
    'constructor',
    [],
    {},
    [null],
    { items: null },
    { items: [] },
    { items: {} },
  ),
  cidr,
  port,
  fc.string({ maxLength: 12 }),
);

const anyJson: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

const edit: fc.Arbitrary<Edit> = fc.record({
  pick: fc.nat({ max: 10_000 }),
  to: fc.oneof(
    { weight: 6, arbitrary: anyJson },
    { weight: 2, arbitrary: fc.constant(DELETE) },
    { weight: 1, arbitrary: fc.constant<'tag-wrap'>('tag-wrap') },
    { weight: 1, arbitrary: fc.constant<'request-wrap'>('request-wrap') },
  ),
});

const edits = fc.array(edit, { minLength: 0, maxLength: 5 });

/** IAM policy documents as VPC endpoint / endpoint service policies carry them (object or JSON text). */
export const iamPolicy: fc.Arbitrary<Json> = (() => {
  const principal = fc.oneof(
    fc.constant<Json>('*'),
    fc.record({
      AWS: fc.oneof(
        fc.constant<Json>('*'),
        fc.constantFrom<Json>('arn:aws:iam::111122223333:root', '444455556666', [
          '*',
          'arn:aws:iam::999999999999:role/x',
        ]),
      ),
    }),
    fc.record({ Service: fc.constant<Json>('ec2.amazonaws.com') }),
    nasty,
  );
  const list = (a: fc.Arbitrary<Json>) => fc.oneof(a, fc.array(a, { maxLength: 3 }));
  const statement = fc.record(
    {
      Sid: fc.string({ maxLength: 6 }),
      Effect: fc.constantFrom<Json>('Allow', 'Deny', 'allow', 'Maybe', null),
      Principal: principal,
      NotPrincipal: principal,
      Action: list(fc.constantFrom<Json>('*', 's3:*', 's3:GetObject', 'ec2:Describe*', '')),
      NotAction: list(fc.constantFrom<Json>('s3:DeleteBucket', '*')),
      Resource: list(fc.constantFrom<Json>('*', 'arn:aws:s3:::bucket/*', 'arn:aws:s3:::*')),
      Condition: fc.oneof(
        fc.constant<Json>({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }),
        fc.constant<Json>({ Bool: { 'aws:SecureTransport': 'true' } }),
        nasty,
      ),
    },
    { requiredKeys: ['Effect'] },
  );
  const doc = fc.record(
    {
      Version: fc.constantFrom<Json>('2012-10-17', '2008-10-17'),
      Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 }), nasty),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    doc,
    doc.map((d) => JSON.stringify(d)),
    nasty,
  );
})();

/** A CloudTrail record: a sample, mutated; sometimes with a random policy document or permission swapped in. */
export const cloudTrailRecord: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...CLOUDTRAIL),
    edits,
    fc.option(iamPolicy),
    fc.option(
      fc.record({
        cidrIp: cidr,
        fromPort: port,
        toPort: port,
        ipProtocol: fc.constantFrom<Json>('tcp', '-1', 'udp', 'icmp', '6', 'all', 99),
      }),
    ),
  )
  .map(([sample, e, policy, permission]) => {
    const record = applyEdits(sample, e);
    const p = asObject(asObject(record)?.['requestParameters']);
    if (p) {
      if (policy !== null) p['policyDocument'] = policy;
      if (permission !== null)
        p['ipPermissions'] = { items: [{ ...permission, ipRanges: { items: [{ cidrIp: permission.cidrIp }] } }] };
    }
    return record;
  });

/** A Config message (item change, oversized, compliance) with a random diff: changed properties added or mangled. */
export const configMessage: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...CONFIG),
    edits,
    fc.dictionary(
      fc.constantFrom(
        'Configuration.IpPermissions.0',
        'Configuration.IpPermissionsEgress.1',
        'Configuration.Routes.0',
        'Configuration.Entries.2',
        'Configuration.PolicyDocument',
        'Relationships.0',
        'SupplementaryConfiguration.Tags',
        '',
      ),
      fc.record(
        {
          previousValue: anyJson,
          updatedValue: fc.oneof(anyJson, fc.record({ cidrIp: cidr, fromPort: port, toPort: port })),
          changeType: fc.constantFrom<Json>('CREATE', 'UPDATE', 'DELETE', 'BOGUS'),
        },
        { requiredKeys: [] },
      ),
      { maxKeys: 3 },
    ),
    fc.option(iamPolicy),
  )
  .map(([sample, e, changed, policy]) => {
    const message = applyEdits(sample, e);
    const diff = asObject(asObject(message)?.['configurationItemDiff']);
    if (diff) diff['changedProperties'] = { ...asObject(diff['changedProperties']), ...changed };
    const configuration = asObject(asObject(asObject(message)?.['configurationItem'])?.['configuration']);
    if (policy !== null && configuration) configuration['policyDocument'] = policy;
    return message;
  });

/** One transport layer around a payload, as AWS spells it (text where AWS sends JSON text). */
const layer = (inner: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant({
      Records: [
        {
          messageId: 'm-1',
          eventSource: 'aws:sqs',
          body: JSON.stringify(inner),
          attributes: {},
          messageAttributes: {},
        },
      ],
    }),
    fc.constant({
      Type: 'Notification',
      MessageId: 'n-1',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t',
      Message: JSON.stringify(inner),
    }),
    fc.constant({ Type: 'Notification', MessageId: 'n-1', Message: inner }),
    fc.constant({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: { Type: 'Notification', Message: JSON.stringify(inner), SigningCertUrl: 'https://x' },
        },
      ],
    }),
    fc.constant({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: inner }),
    fc.constant({
      version: '0',
      'detail-type': 'Config Configuration Item Change',
      source: 'aws.config',
      detail: inner,
    }),
    fc.constant({ Records: [inner, inner] }),
    fc.constant([inner]),
    fc.constant({ invokingEvent: JSON.stringify(inner), ruleParameters: '{}' }),
  );

/** A payload in 0–4 random transport layers, the string layers sometimes corrupted. */
export const envelope: fc.Arbitrary<unknown> = fc
  .tuple(fc.oneof(cloudTrailRecord, configMessage, anyJson), fc.nat({ max: 4 }))
  .chain(([payload, depth]) => {
    let arb: fc.Arbitrary<unknown> = fc.constant(payload);
    for (let i = 0; i < depth; i += 1) arb = arb.chain(layer);
    return fc.tuple(arb, edits).map(([value, e]) => (e.length > 2 ? applyEdits(value, e.slice(0, 1)) : value));
  });

/** Arbitrary SQS message bodies: JSON text of an envelope, or text that is not quite JSON. */
export const sqsBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: envelope.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 1,
    arbitrary: fc.tuple(envelope, fc.nat()).map(([v, cut]) => {
      const t = JSON.stringify(v) ?? '';
      return t.slice(0, cut % (t.length + 1));
    }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Runs per property: small under `npm test`, large under `npm run fuzz` (FUZZ_RUNS). */
export function fuzzRuns(defaultRuns: number): number {
  const fromEnv = Number(process.env['FUZZ_RUNS']);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}
