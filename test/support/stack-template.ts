import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The packaged CloudFormation templates (`npm run package:all` → `.serverless-{default,org,private}/`) and a resolver
 * that evaluates their intrinsic functions the way CloudFormation would in one account and Region: `Ref` and
 * `Fn::GetAtt` return the physical names and ARNs the resources get from their own properties (QueueName, TopicName,
 * TableName, Name, FunctionName…), `Fn::Sub`, `Fn::Join`, `Fn::If`/`Conditions` and parameters are evaluated. Tests that
 * follow an event or an AWS call through the deployed stack read the template through this, never through a copy of it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

export const MODES = ['default', 'org', 'private'] as const;
export type Mode = (typeof MODES)[number];
export type Obj = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties?: Obj;
  Condition?: string;
  DependsOn?: unknown;
}
export interface Template {
  Parameters?: Record<string, Obj>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Obj;
}

const root = join(import.meta.dirname, '..', '..');
export const templatePath = (mode: Mode): string =>
  join(root, `.serverless-${mode}`, 'cloudformation-template-update-stack.json');

/**
 * Whether the packaged templates exist. Locally a template test skips without them (with a message); in CI (`CI` set,
 * as `.ci/run` does after packaging) a missing template is a failure, so the check can never pass by not running.
 */
export function packagedTemplates(testFile: string): boolean {
  const packaged = MODES.every((m) => existsSync(templatePath(m)));
  if (!packaged) {
    const message = `${testFile}: packaged templates not found (.serverless-{default,org,private}); run \`npm run package:all\``;
    if (process.env['CI']) throw new Error(`${message} — CI packages them before the tests (.ci/run)`);
    console.warn(`${message} — skipped`);
  }
  return packaged;
}

export function loadTemplate(mode: Mode): Template {
  return JSON.parse(readFileSync(templatePath(mode), 'utf8')) as Template;
}

/** Where the stack is resolved. */
export interface StackEnvironment {
  account: string;
  region: string;
  stackName?: string;
  /** Template parameter values (member-account template). */
  parameters?: Record<string, string>;
  /** Physical ids to use instead of the derived ones (`Ref` of a logical id), e.g. an emulator's queue URL. */
  refs?: Record<string, string>;
}

/** A template with its intrinsics evaluable in one environment. */
export class ResolvedStack {
  readonly partition = 'aws';
  constructor(
    readonly template: Template,
    readonly env: StackEnvironment,
  ) {}

  get account(): string {
    return this.env.account;
  }
  get region(): string {
    return this.env.region;
  }

  resource(id: string): Resource {
    const r = this.template.Resources[id];
    if (!r) throw new Error(`template has no resource ${id}`);
    return r;
  }

  /** Resources of a type (those whose Condition is false left out), with their logical ids. */
  of(type: string): [string, Resource][] {
    return Object.entries(this.template.Resources).filter(
      ([, r]) => r.Type === type && (r.Condition === undefined || this.condition(r.Condition)),
    );
  }

  /** A property of a resource, resolved. */
  prop(id: string, name: string): unknown {
    return this.resolve(this.resource(id).Properties?.[name]);
  }

  private name(id: string, property: string): string {
    const v = this.resource(id).Properties?.[property];
    return v === undefined ? `${this.env.stackName ?? 'stack'}-${id}` : String(this.resolve(v));
  }

  /** What `Ref` returns for a logical id or pseudo parameter. */
  ref(id: string): string {
    const { account, region } = this.env;
    const pseudo: Record<string, string> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': this.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.env.stackName ?? 'stack',
      'AWS::NoValue': '',
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const override = this.env.refs?.[id];
    if (override !== undefined) return override;
    if (this.template.Parameters?.[id]) {
      const v = this.env.parameters?.[id] ?? this.template.Parameters[id]['Default'];
      if (v === undefined) throw new Error(`no value for template parameter ${id}`);
      return String(v);
    }
    const r = this.resource(id);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${this.name(id, 'QueueName')}`;
      case 'AWS::SNS::Topic':
        return this.getAtt(id, 'TopicArn');
      case 'AWS::DynamoDB::Table':
        return this.name(id, 'TableName');
      case 'AWS::SSM::Parameter':
        return this.name(id, 'Name');
      case 'AWS::IAM::Role':
        return this.name(id, 'RoleName');
      case 'AWS::Events::Rule':
        return this.name(id, 'Name');
      case 'AWS::Lambda::Function':
        return this.name(id, 'FunctionName');
      case 'AWS::Logs::LogGroup':
        return this.name(id, 'LogGroupName');
      case 'AWS::S3::Bucket':
        return this.name(id, 'BucketName').toLowerCase();
      case 'AWS::KMS::Key':
        return `00000000-0000-4000-8000-${id
          .toLowerCase()
          .replace(/[^0-9a-f]/g, '0')
          .padEnd(12, '0')
          .slice(0, 12)}`;
      default:
        return id;
    }
  }

  /** What `Fn::GetAtt` returns. */
  getAtt(id: string, attribute: string): string {
    const { account, region } = this.env;
    const r = this.resource(id);
    const p = this.partition;
    if (attribute === 'Arn' || attribute === 'TopicArn') {
      switch (r.Type) {
        case 'AWS::SQS::Queue':
          return `arn:${p}:sqs:${region}:${account}:${this.name(id, 'QueueName')}`;
        case 'AWS::SNS::Topic':
          return `arn:${p}:sns:${region}:${account}:${this.name(id, 'TopicName')}`;
        case 'AWS::DynamoDB::Table':
          return `arn:${p}:dynamodb:${region}:${account}:table/${this.ref(id)}`;
        case 'AWS::IAM::Role':
          return `arn:${p}:iam::${account}:role/${this.ref(id)}`;
        case 'AWS::Events::Rule': {
          const bus = r.Properties?.['EventBusName'];
          const prefix = bus === undefined || bus === 'default' ? '' : `${String(this.resolve(bus))}/`;
          return `arn:${p}:events:${region}:${account}:rule/${prefix}${this.ref(id)}`;
        }
        case 'AWS::Lambda::Function':
          return `arn:${p}:lambda:${region}:${account}:function:${this.ref(id)}`;
        case 'AWS::Logs::LogGroup':
          return `arn:${p}:logs:${region}:${account}:log-group:${this.ref(id)}:*`;
        case 'AWS::KMS::Key':
          return `arn:${p}:kms:${region}:${account}:key/${this.ref(id)}`;
        case 'AWS::S3::Bucket':
          return `arn:${p}:s3:::${this.ref(id)}`;
      }
    }
    if (attribute === 'QueueName' && r.Type === 'AWS::SQS::Queue') return this.name(id, 'QueueName');
    if (attribute === 'QueueUrl' && r.Type === 'AWS::SQS::Queue') return this.ref(id);
    throw new Error(`Fn::GetAtt ${id}.${attribute} (${r.Type}) is not modelled in test/support/stack-template.ts`);
  }

  condition(name: string): boolean {
    const c = this.template.Conditions?.[name];
    if (c === undefined) throw new Error(`template has no condition ${name}`);
    return Boolean(this.resolve(c));
  }

  /** Evaluate intrinsics in a value. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const o = value as Obj;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = o[key as string];
      switch (key) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(String(id), String(attribute));
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as Obj] : [String(arg), {}];
          return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
            if (Object.hasOwn(vars, name)) return String(this.resolve(vars[name]));
            if (name.includes('.') && !name.startsWith('AWS::')) {
              const [id, attribute] = name.split('.');
              return this.getAtt(String(id), String(attribute));
            }
            return this.ref(name);
          });
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).join(sep);
        }
        case 'Fn::If': {
          const [cond, yes, no] = arg as [string, unknown, unknown];
          return this.resolve(this.condition(cond) ? yes : no);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return String(this.resolve(a)) === String(this.resolve(b));
        }
        case 'Fn::Not':
          return !this.resolve((arg as unknown[])[0]);
        case 'Fn::And':
          return (arg as unknown[]).every((c) => this.resolve(c));
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => this.resolve(c));
        case 'Condition':
          return this.condition(String(arg));
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }
}

/** A deployed Lambda function as the template defines it. */
export interface DeployedFunction {
  /** Logical id (`ConfigChangesLambdaFunction`). */
  id: string;
  name: string;
  /** `functions/config-changes.handler` — also the attribution key of recorded calls (test/support/aws-calls.ts). */
  handler: string;
  /** The module file (`functions/config-changes.ts`). */
  entry: string;
  roleId: string;
  roleArn: string;
  environment: Record<string, string>;
}

export function deployedFunctions(stack: ResolvedStack): DeployedFunction[] {
  return stack.of('AWS::Lambda::Function').map(([id, r]) => {
    const props = r.Properties ?? {};
    const handler = String(props['Handler']);
    const role = props['Role'] as { 'Fn::GetAtt'?: [string, string] };
    const roleId = role['Fn::GetAtt']?.[0];
    if (roleId === undefined) throw new Error(`${id}: Role is not a Fn::GetAtt of a role in the template`);
    return {
      id,
      name: stack.ref(id),
      handler,
      entry: join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`),
      roleId,
      roleArn: stack.getAtt(roleId, 'Arn'),
      environment: stack.resolve((props['Environment'] as { Variables?: Obj } | undefined)?.Variables ?? {}) as Record<
        string,
        string
      >,
    };
  });
}
