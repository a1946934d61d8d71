import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Payload } from '../../shared/1-ingest/envelope/unwrap.ts';
import { matchesPattern } from './event-pattern.ts';
import type { Obj, ResolvedStack } from './stack-template.ts';

/**
 * Following an event from where it happens to an ingest queue, through the templates as packaged: the member account's
 * forwarding rules (deploy/member-account.yml), the forwarding role's PutEvents against the central bus policy (IAM
 * evaluator), the central bus's rules (EventBridge pattern matcher) and their SQS targets.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
 */

/** The EventBridge event a payload is on its account's default bus, or undefined (Config has no bus form for it). */
export function busEvent(payload: Payload): { account: string; event: Obj } | undefined {
  if (payload.kind === 'cloudtrail') {
    // CloudTrail omits the error fields of a successful call; records trimmed by other tools (in the corpus) carry
    // `"errorCode": null` instead, which no real event on a bus does. (EventBridge patterns cannot say null in a
    // CloudFormation template either: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html)
    const r = Object.fromEntries(
      Object.entries(payload.record).filter(([k, v]) => !(v === null && (k === 'errorCode' || k === 'errorMessage'))),
    );
    const identity = r['userIdentity'] as Obj | undefined;
    const account = String(r['recipientAccountId'] ?? identity?.['accountId'] ?? '111122223333');
    // CloudTrail puts an event on the bus under the source of its service; a record whose eventSource is redacted (the
    // corpus keeps what its sources redacted, e.g. "...") cannot be on a bus at all.
    const eventSource = String(r['eventSource'] ?? '');
    if (!/^[a-z0-9-]+\.amazonaws\.com$/.test(eventSource)) return undefined;
    const service = eventSource.replace(/\.amazonaws\.com$/, '');
    return {
      account,
      event: {
        version: '0',
        id: `ct-${String(r['eventID'] ?? 'x')}`,
        'detail-type': 'AWS API Call via CloudTrail',
        source: `aws.${service}`,
        account,
        time: r['eventTime'],
        region: r['awsRegion'] ?? 'eu-west-1',
        resources: [],
        detail: r,
      },
    };
  }
  if (payload.kind !== 'config') return undefined;
  const m = payload.message;
  const type = m['messageType'];
  const detailType =
    type === 'ConfigurationItemChangeNotification' || type === 'OversizedConfigurationItemChangeNotification'
      ? 'Config Configuration Item Change'
      : type === 'ComplianceChangeNotification'
        ? 'Config Rules Compliance Change'
        : undefined;
  if (detailType === undefined) return undefined;
  const item = (m['configurationItem'] ?? m['configurationItemSummary']) as Obj | undefined;
  const account = String(item?.['awsAccountId'] ?? m['awsAccountId'] ?? '111122223333');
  const region = String(item?.['awsRegion'] ?? m['awsRegion'] ?? 'eu-west-1');
  return {
    account,
    event: {
      version: '0',
      id: 'cfg',
      'detail-type': detailType,
      source: 'aws.config',
      account,
      region,
      resources: [],
      detail: m,
    },
  };
}

/** A rule of a template that delivers to targets, with its resolved pattern. */
interface BusRule {
  id: string;
  pattern: Obj;
  targets: string[];
}

function busRules(stack: ResolvedStack): BusRule[] {
  return stack
    .of('AWS::Events::Rule')
    .filter(([, r]) => r.Properties?.['EventPattern'] !== undefined)
    .filter(([, r]) => [undefined, 'default'].includes(r.Properties?.['EventBusName'] as string | undefined))
    .map(([id, r]) => ({
      id,
      pattern: stack.resolve(r.Properties?.['EventPattern']) as Obj,
      targets: ((stack.resolve(r.Properties?.['Targets']) as Obj[] | undefined) ?? []).map((t) => String(t['Arn'])),
    }));
}

/** The ingest queues (logical ids) an event on the central bus reaches, and through which rules. */
export function centralRoute(stack: ResolvedStack, event: Obj): { queues: string[]; rules: string[] } {
  const byArn = new Map(stack.of('AWS::SQS::Queue').map(([id]) => [stack.getAtt(id, 'Arn'), id]));
  const queues: string[] = [];
  const rules: string[] = [];
  for (const rule of busRules(stack)) {
    if (!matchesPattern(rule.pattern, event)) continue;
    const reached = rule.targets.map((t) => byArn.get(t)).filter((q): q is string => q !== undefined);
    if (reached.length === 0) continue;
    rules.push(rule.id);
    queues.push(...reached);
  }
  return { queues, rules };
}

/** The member template's rules that forward an event (with the role EventBridge uses to put it on the central bus). */
export function memberForwards(member: ResolvedStack, event: Obj): string[] {
  return busRules(member)
    .filter((rule) => matchesPattern(rule.pattern, event))
    .map((rule) => rule.id);
}

/**
 * May the member account's forwarding role put the event on the central bus? The role's identity policy (member
 * template) and the central bus policy (central template's AWS::Events::EventBusPolicy statements) both must allow.
 */
export async function busAdmits(
  member: ResolvedStack,
  central: ResolvedStack,
  organizationId: string,
): Promise<string> {
  const busArn = `arn:aws:events:${central.region}:${central.account}:event-bus/default`;
  const statements = central
    .of('AWS::Events::EventBusPolicy')
    .map(([, r]) => central.resolve(r.Properties?.['Statement']) as Obj);
  const roleProps = member.resolve(member.resource('ForwardToCentralBusRole').Properties) as {
    Policies: { PolicyName: string; PolicyDocument: Obj }[];
  };
  const roleName = 'netwatch-member-ForwardToCentralBusRole';
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${member.account}:assumed-role/${roleName}/events`,
        action: 'events:PutEvents',
        resource: { resource: busArn, accountId: central.account },
        contextVariables: {
          'aws:PrincipalOrgID': organizationId,
          'aws:PrincipalAccount': member.account,
          'aws:SecureTransport': 'true',
        },
      },
      identityPolicies: roleProps.Policies.map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(statements.length ? { resourcePolicy: { Version: '2012-10-17', Statement: statements } } : {}),
    },
    {},
  );
  return response.resultType === 'error'
    ? `SimulationError ${JSON.stringify(response.errors)}`
    : response.overallResult;
}
