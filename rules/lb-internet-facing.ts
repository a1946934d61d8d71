import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { change, loadBalancer, VPC } from './cases/build.ts';

function classify(change: ChangeEvent): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'load-balancer' || d.op === 'removed' || d.scheme !== 'internet-facing') continue;
    if (d.before?.scheme === 'internet-facing') continue; // was already public
    out.push({
      severity: 'medium',
      summary: `internet-facing ${d.lbType} load balancer ${d.name} ${d.op === 'added' ? 'created' : 'now internet-facing'}`,
      evidence: [d],
      why: [
        'scheme internet-facing: the load balancer has public addresses and forwards internet traffic to its targets',
        d.lbType === 'network'
          ? 'network load balancers pass traffic through to targets at layer 4 (target security groups decide)'
          : 'listener rules and security groups decide what is reachable',
      ],
    });
  }
  return out;
}

const ELB = (name: string): { source: string; name: string } => ({
  source: 'elasticloadbalancing.amazonaws.com',
  name,
});
const LB = {
  type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  id: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/orders-api/50dc6c495c0c9188',
  vpcId: VPC,
};

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'An internet-facing load balancer exposes its targets. Check its listeners, security groups and target groups, and whether it should have been internal.';

/** A load balancer exposed to the internet. */
export const rule: Rule = {
  id: 'lb-internet-facing',
  title: 'Internet-facing load balancer created',
  description:
    'A load balancer with scheme internet-facing was created (or first seen by Config). It gets public addresses and ' +
    'forwards internet traffic to its targets, which may be services built for internal use. Check the listeners, the ' +
    'target groups, the security groups (ALB/CLB) or target security groups (NLB), and whether an internal scheme was ' +
    'intended. Internal load balancers are not reported.',
  whatToCheck,
  category: 'lb-internet-facing',
  deltaKinds: ['load-balancer'],
  resourceTypes: ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancing::LoadBalancer'],
  apiCalls: [{ source: 'elasticloadbalancing.amazonaws.com', names: ['CreateLoadBalancer'] }],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'ALB internet-facing',
      change: change(LB, [loadBalancer('added', 'internet-facing')], { api: ELB('CreateLoadBalancer') }),
      expect: 'medium',
    },
    {
      name: 'NLB internet-facing discovered by Config',
      change: change(LB, [loadBalancer('added', 'internet-facing', 'network', 'ingest-nlb')]),
      expect: 'medium',
    },
    {
      name: 'internal ALB',
      change: change(LB, [loadBalancer('added', 'internal')], { api: ELB('CreateLoadBalancer') }),
      expect: null,
    },
    {
      name: 'internet-facing LB deleted',
      change: change(LB, [loadBalancer('removed', 'internet-facing')], { api: ELB('DeleteLoadBalancer') }),
      expect: null,
    },
  ];
}
