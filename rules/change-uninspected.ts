import type { ChangeEvent, UninspectedDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { cidr, change, perm, sgChange, sgDelta } from './cases/build.ts';

const S3_LOCATION =
  'corp-config-111122223333/AWSLogs/111122223333/Config/eu-west-1/2025/3/14/OversizedChangeNotification/AWS::EC2::SecurityGroup/sg-0123456789abcdef0/111122223333_Config_eu-west-1_ChangeNotification_AWS::EC2::SecurityGroup_sg-0123456789abcdef0_20250314T090007Z_1741943407000.json.gz';

function judge(change: ChangeEvent, d: UninspectedDelta): FindingDraft {
  const subject = `${change.resource.type} ${change.resource.id}${change.resource.name ? ` (${change.resource.name})` : ''}`;
  const why = [
    'AWS Config sent only a summary (OversizedConfigurationItemChangeNotification: the item is larger than SNS allows), so the change could not be diffed',
    d.failure !== undefined
      ? `fetching the item failed: ${d.failure}`
      : 'enrichment is off: the item was not fetched with GetResourceConfigHistory',
    d.location !== undefined
      ? `the full item is in S3: s3://${d.location}`
      : 'the notification names no S3 copy of the item',
    'low, not medium: nothing is known to be risky; inspect the item (or route this category to paging) if every network change must be seen',
  ];
  return {
    severity: 'low',
    summary: `${subject} changed${d.changeType ? ` (${d.changeType})` : ''} but could not be inspected: ${d.failure ?? 'item not fetched'}`,
    evidence: [d],
    why,
  };
}

function oversized(failure?: string): UninspectedDelta {
  const d: UninspectedDelta = {
    kind: 'uninspected',
    op: 'changed',
    reason: 'oversized',
    location: S3_LOCATION,
    changeType: 'UPDATE',
  };
  if (failure !== undefined) d.failure = failure;
  return d;
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Netwatch could not see what changed (an oversized AWS Config item it could not fetch). Open the resource timeline in the Config console (or the S3 copy named in the finding) and review the change by hand.';

/** A change to a network resource that could not be inspected (oversized Config item that was not fetched). */
export const rule: Rule = {
  id: 'change-uninspected',
  title: 'Network change could not be inspected',
  description:
    'AWS Config reported a change to a network resource whose configuration item was too large for SNS ' +
    '(OversizedConfigurationItemChangeNotification), and the item could not be fetched with GetResourceConfigHistory ' +
    '(enrichment off, the resource not discovered, throttling beyond the retry budget, or Config history not caught up). ' +
    'Nothing says the change is risky and nothing says it is not: the finding names the resource, why the fetch failed ' +
    'and where Config put the full item in S3. Low, so it is recorded but does not page; read the item from S3 or the ' +
    'Config console timeline if the resource matters.',
  whatToCheck,
  category: 'uninspected',
  deltaKinds: ['uninspected'],
  resourceTypes: [
    'AWS::EC2::SecurityGroup',
    'AWS::EC2::NetworkAcl',
    'AWS::EC2::RouteTable',
    'AWS::EC2::VPCEndpoint',
    'AWS::EC2::InternetGateway',
  ],
  apiCalls: [],
  classify: (c) => c.deltas.flatMap((d) => (d.kind === 'uninspected' ? [judge(c, d)] : [])),
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    { name: 'oversized item, enrichment off', change: sgChange([oversized()]), expect: 'low' },
    {
      name: 'oversized item, resource not discovered',
      change: sgChange([oversized('AWS Config has no history of AWS::EC2::SecurityGroup sg-0123456789abcdef0')]),
      expect: 'low',
    },
    {
      name: 'oversized route table, throttled out',
      change: change({ type: 'AWS::EC2::RouteTable', id: 'rtb-04c8e2f1a9b7d3e65' }, [
        oversized('GetResourceConfigHistory failed after 4 throttled attempts'),
      ]),
      expect: 'low',
    },
    {
      name: 'fetched and diffed: judged by the other rules',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('0.0.0.0/0')))]),
      expect: null,
    },
  ];
}
