import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { ec2, logging, loggingChange } from './cases/build.ts';

function classify(change: ChangeEvent): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'logging' || d.subject !== 'flow-log') continue;
    if (d.action === 'deleted') {
      out.push({
        severity: 'high',
        summary: `VPC flow log ${d.id} deleted`,
        evidence: [d],
        why: [
          'flow logs are the network audit trail: deleting them blinds traffic investigation (a common defense-evasion step, MITRE T1562.008)',
        ],
      });
    } else if (d.action === 'updated' && d.weakenings?.length) {
      out.push({
        severity: 'low',
        summary: `VPC flow log ${d.id} weakened: ${d.weakenings.join(', ')}`,
        evidence: [d],
        why: d.weakenings.map((w) => `weakening: ${w}`),
      });
    }
  }
  return out;
}

const FLOW_LOG = 'fl-0a4c6e8b2d1f35790';

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Flow logs were removed: network forensics for this VPC or interface stop now. Was it part of a teardown? If not, recreate them and find out who else acted in the session.';

/** VPC flow logs deleted. */
export const rule: Rule = {
  id: 'flowlogs-deleted',
  title: 'VPC flow logs deleted',
  description:
    'VPC flow logs were deleted. Flow logs record every accepted/rejected connection of a VPC, subnet or ENI; ' +
    'without them exfiltration and lateral movement leave no network trace. Deleting them is a classic ' +
    'defense-evasion step. Check who deleted them (and what else that principal did around the same time), and ' +
    're-create the flow log.',
  whatToCheck,
  category: 'flowlogs-deleted',
  deltaKinds: ['logging'],
  resourceTypes: ['AWS::EC2::FlowLog'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['DeleteFlowLogs'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'DeleteFlowLogs',
      change: loggingChange(logging('flow-log', 'deleted', FLOW_LOG), { api: ec2('DeleteFlowLogs') }),
      expect: 'high',
    },
    {
      name: 'Config: flow log item deleted',
      change: loggingChange(logging('flow-log', 'deleted', FLOW_LOG)),
      expect: 'high',
    },
    {
      name: 'CreateFlowLogs',
      change: loggingChange(logging('flow-log', 'created', FLOW_LOG), { api: ec2('CreateFlowLogs') }),
      expect: null,
    },
    {
      name: 'trail deletion is not a flow log',
      change: loggingChange(logging('trail', 'deleted', 'management-events')),
      expect: null,
    },
  ];
}
