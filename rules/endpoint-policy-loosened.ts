import type { ChangeEvent, EndpointPolicyDelta } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { viewOf } from '../shared/net/exposure.ts';
import { assessPolicy, comparePolicies, grantsEveryone, hasBoundaryDeny } from '../shared/net/policy.ts';
import { ec2, endpointChange, endpointPolicy, policy, VPCE } from './cases/build.ts';

function judge(d: EndpointPolicyDelta): FindingDraft | undefined {
  const where = `${d.endpointId}${d.serviceName ? ` (${d.serviceName})` : ''}`;
  if (d.op === 'removed') return undefined; // endpoint deleted: its policy no longer grants anything
  if (d.before === undefined && d.op === 'added') {
    // A new endpoint can never be looser than AWS's default, which is full access.
    const breadth = assessPolicy(d.after);
    if (breadth.grantsEveryoneFullAccess) {
      return {
        severity: 'low',
        summary: `endpoint ${where} created with ${d.after.kind === 'full-access' ? 'the default full-access policy' : 'a policy equivalent to full access'}`,
        evidence: [d],
        why: [
          'any principal reachable through the endpoint may call any action of the service (AWS default); consider a scoped policy',
          ...breadth.broad,
        ],
      };
    }
    return {
      severity: 'info',
      summary: `endpoint ${where} created with a custom policy`,
      evidence: [d],
      why: ['narrower than the default full-access policy'],
    };
  }
  if (d.before === undefined) {
    const breadth = assessPolicy(d.after);
    if (d.after.kind === 'full-access') {
      return {
        severity: 'high',
        summary: `endpoint ${where} policy reset to full access`,
        evidence: [d],
        why: ['ResetPolicy / policy removed: everyone, every action, every resource (previous policy unknown)'],
      };
    }
    if (breadth.grantsEveryoneFullAccess) {
      return {
        severity: 'high',
        summary: `endpoint ${where} policy now grants everyone full access`,
        evidence: [d],
        why: ['previous policy unknown (CloudTrail logs only the new document)', ...breadth.broad],
      };
    }
    if (breadth.broad.length) {
      return {
        severity: 'medium',
        summary: `endpoint ${where} policy replaced with a broad grant`,
        evidence: [d],
        why: ['previous policy unknown (CloudTrail logs only the new document)', ...breadth.broad],
      };
    }
    return {
      severity: 'info',
      summary: `endpoint ${where} policy replaced`,
      evidence: [d],
      why: ['previous policy unknown; the new policy has no broad grant to everyone'],
    };
  }
  const diff = comparePolicies(d.before, d.after);
  if (diff.loosenings.length) {
    const fenced = hasBoundaryDeny(d.after);
    const everyone = d.after.kind === 'full-access' || (!fenced && diff.widenedAllows.some(grantsEveryone));
    const why = [...diff.loosenings];
    why.push(
      everyone
        ? 'a widened grant applies to everyone without a trust-boundary condition (org, account, VPC, VPC endpoint, source IP)'
        : 'widened within a trust boundary or for named principals',
    );
    return {
      severity: everyone ? 'high' : 'medium',
      summary: `endpoint ${where} policy loosened: ${diff.loosenings[0]}${diff.loosenings.length > 1 ? ` (+${diff.loosenings.length - 1} more)` : ''}`,
      evidence: [d],
      why,
    };
  }
  if (diff.tightenings.length) {
    return { severity: 'info', summary: `endpoint ${where} policy narrowed`, evidence: [d], why: diff.tightenings };
  }
  return undefined;
}

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  "Which principals, actions and resources does the new policy allow? A full-access or wildcard endpoint policy lets data leave to any account's bucket or table through the endpoint. Restore the previous policy if not approved.";

/** A VPC endpoint policy made more permissive. */
export const rule: Rule = {
  id: 'endpoint-policy-loosened',
  title: 'VPC endpoint policy loosened',
  description:
    'A VPC endpoint policy now grants more: a new Allow, a principal widened toward "*", actions or resources ' +
    'widened (s3:GetObject -> s3:*), a trust-boundary condition removed (aws:PrincipalOrgID, aws:SourceVpce, ' +
    'aws:ResourceAccount, ...), a Deny removed or narrowed, or the policy reset to full access. Endpoint policies are ' +
    'a data-perimeter control: loosening one lets workloads in the VPC reach resources outside the organisation ' +
    '(exfiltration) or lets outside identities use the endpoint. High when the widened grant applies to everyone ' +
    'without a boundary condition. Check the policy diff in `why`, who changed it, and restore the perimeter ' +
    'conditions. When only the new policy is known (CloudTrail), the policy is judged on its own.',
  whatToCheck,
  category: 'endpoint-policy-loosened',
  deltaKinds: ['endpoint-policy'],
  resourceTypes: ['AWS::EC2::VPCEndpoint'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['CreateVpcEndpoint', 'ModifyVpcEndpoint'] }],
  exposureKinds: ['endpoint-policy'],
  classify: (change: ChangeEvent) =>
    change.deltas.flatMap((d) => {
      if (d.kind !== 'endpoint-policy') return [];
      const draft = judge(d);
      if (draft === undefined) return [];
      // The endpoint's exposure (a policy granting everyone) in the state left behind: its episode is this finding's.
      const exposure = viewOf(change).resources[d.endpointId]?.exposures.after.find(
        (e) => e.kind === 'endpoint-policy',
      );
      return [exposure !== undefined ? { ...draft, exposures: [exposure.key] } : draft];
    }),
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  // Case data is built inside cases(): a module-level call would stay in every bundle that imports this file.
  const BUCKET = 'arn:aws:s3:::acme-prod-artifacts';
  const ORG_SCOPED = policy({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrgOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `${BUCKET}/*`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    ],
  });
  const EVERYONE_FULL = policy({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
  });
  const api = ec2('ModifyVpcEndpoint');
  return [
    {
      name: 'org condition removed (Config, before known)',
      change: endpointChange([
        endpointPolicy(
          'changed',
          policy({
            Statement: [
              {
                Sid: 'OrgOnly',
                Effect: 'Allow',
                Principal: '*',
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: `${BUCKET}/*`,
              },
            ],
          }),
          ORG_SCOPED,
        ),
      ]),
      expect: 'high',
    },
    {
      name: 'action widened for a named role',
      change: endpointChange([
        endpointPolicy(
          'changed',
          policy({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::111122223333:role/etl' },
                Action: 's3:*',
                Resource: `${BUCKET}/*`,
              },
            ],
          }),
          policy({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::111122223333:role/etl' },
                Action: 's3:GetObject',
                Resource: `${BUCKET}/*`,
              },
            ],
          }),
        ),
      ]),
      expect: 'medium',
    },
    {
      name: 'ResetPolicy after a scoped policy',
      change: endpointChange([endpointPolicy('changed', { kind: 'full-access' }, ORG_SCOPED)]),
      expect: 'high',
    },
    {
      name: 'ModifyVpcEndpoint to everyone-full (before unknown)',
      change: endpointChange([endpointPolicy('changed', EVERYONE_FULL)], { api }),
      expect: 'high',
    },
    {
      name: 'ModifyVpcEndpoint to a scoped policy (before unknown)',
      change: endpointChange([endpointPolicy('changed', ORG_SCOPED)], { api }),
      expect: 'info',
    },
    {
      name: 'CreateVpcEndpoint with no policy (borderline)',
      change: endpointChange([endpointPolicy('added', { kind: 'full-access' })], { api: ec2('CreateVpcEndpoint') }),
      expect: 'low',
    },
    {
      name: 'narrowed: condition added',
      change: endpointChange([endpointPolicy('changed', ORG_SCOPED, EVERYONE_FULL)]),
      expect: 'info',
    },
    {
      name: 'endpoint deleted',
      change: endpointChange([endpointPolicy('removed', ORG_SCOPED)], {
        api: ec2('DeleteVpcEndpoints'),
        resource: { id: VPCE },
      }),
      expect: null,
    },
    {
      name: 'unchanged document',
      change: endpointChange([endpointPolicy('changed', ORG_SCOPED, ORG_SCOPED)]),
      expect: null,
    },
  ];
}
