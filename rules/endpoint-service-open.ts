import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase, RuleContext } from '../shared/model/rule.ts';
import type { ResourceState } from '../shared/model/state.ts';
import { isEveryonePrincipal, principalAccount, viewOf } from '../shared/net/exposure.ts';
import {
  ACCOUNT,
  ec2,
  endpointServiceChange,
  FOREIGN_ACCOUNT,
  serviceAcceptance,
  servicePermission,
} from './cases/build.ts';

/** Account id of a principal ARN (`arn:aws:iam::123456789012:root`) or a bare account id. */
const accountOf = principalAccount;

/**
 * Uses `context.knownAccounts` (plus the change's own account): allowing a principal of an account outside them is
 * medium; inside them, info.
 */
function classify(change: ChangeEvent, context: RuleContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  const view = viewOf(change);
  // Everyone allowed — by this change, or (kept state) already before it.
  const everyoneAllowed = (serviceId: string): boolean =>
    change.deltas.some(
      (d) => d.kind === 'endpoint-service-permission' && d.op === 'added' && isEveryonePrincipal(d.principal),
    ) ||
    (view.source === 'kept' && stateAllowsEveryone(view.resources[serviceId]?.after));
  const exposuresOf = (serviceId: string, principal?: string): string[] =>
    (view.resources[serviceId]?.exposures.after ?? [])
      .filter((e) => e.kind === 'endpoint-service' && (principal === undefined || e.key.endsWith(`|${principal}`)))
      .map((e) => e.key);
  for (const d of change.deltas) {
    if (d.kind === 'endpoint-service-permission') {
      if (d.op === 'removed') continue; // disallowing a principal only narrows who may connect
      if (isEveryonePrincipal(d.principal)) {
        out.push({
          severity: 'high',
          summary: `endpoint service ${d.serviceId} allows every AWS principal (${d.principal.trim()}) to create endpoints`,
          evidence: [d],
          why: [
            `allowed principal "${d.principal.trim()}": any AWS account can request a connection to the service`,
            'the service is exposed to every AWS customer unless acceptance is required and enforced',
          ],
          exposures: exposuresOf(d.serviceId, d.principal),
        });
        continue;
      }
      const account = accountOf(d.principal);
      const known = account !== undefined && (account === change.account || context.knownAccounts.has(account));
      out.push({
        severity: known ? 'info' : 'medium',
        summary: `endpoint service ${d.serviceId} allows ${d.principal}${known ? '' : ' (account outside the organisation)'}`,
        evidence: [d],
        why: [
          known
            ? `account ${account} is a known account (context.knownAccounts)`
            : `account ${account ?? 'unknown'} is not in context.knownAccounts: a foreign account can connect`,
        ],
        exposures: known ? [] : exposuresOf(d.serviceId, d.principal),
      });
    } else if (d.kind === 'endpoint-service-acceptance') {
      if (d.acceptanceRequired || d.before === false) continue;
      const everyone = everyoneAllowed(d.serviceId);
      out.push({
        severity: everyone ? 'high' : 'medium',
        summary: `endpoint service ${d.serviceId} no longer requires acceptance of connection requests`,
        evidence: [d],
        why: [
          'AcceptanceRequired=false: allowed principals connect without the service owner approving each endpoint',
          ...(everyone
            ? ['combined with principal "*" allowed on the service: any AWS account connects automatically']
            : []),
        ],
        exposures: exposuresOf(d.serviceId),
      });
    }
  }
  return out;
}

function stateAllowsEveryone(state: ResourceState | undefined): boolean {
  return state?.kind === 'endpoint-service' && state.principals.some(isEveryonePrincipal);
}

const PERMS = ec2('ModifyVpcEndpointServicePermissions');
const CONFIG = ec2('ModifyVpcEndpointServiceConfiguration');

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Which accounts may now connect to this endpoint service? A * principal or auto-accept lets any AWS account reach the service behind it. Check current endpoint connections.';

/** A PrivateLink endpoint service opened to everyone or foreign accounts. */
export const rule: Rule = {
  id: 'endpoint-service-open',
  title: 'PrivateLink endpoint service opened',
  description:
    'A PrivateLink endpoint service (your service, offered to other VPCs) now allows every AWS principal ("*") or an ' +
    'account outside the organisation to create endpoints to it, or stopped requiring the owner to accept each ' +
    'connection. Whatever the service fronts (an NLB/GWLB and its targets) becomes reachable from those accounts. ' +
    'Check the allowed principals list and acceptance setting of the service, and who changed it.',
  whatToCheck,
  category: 'endpoint-service-open',
  exposureKinds: ['endpoint-service'],
  deltaKinds: ['endpoint-service-permission', 'endpoint-service-acceptance'],
  resourceTypes: ['AWS::EC2::VPCEndpointService'],
  apiCalls: [
    {
      source: 'ec2.amazonaws.com',
      names: [
        'ModifyVpcEndpointServicePermissions',
        'ModifyVpcEndpointServiceConfiguration',
        'CreateVpcEndpointServiceConfiguration',
      ],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'allow *',
      change: endpointServiceChange([servicePermission('added', '*')], { api: PERMS }),
      expect: 'high',
    },
    {
      name: 'allow a foreign account',
      change: endpointServiceChange([servicePermission('added', `arn:aws:iam::${FOREIGN_ACCOUNT}:root`)], {
        api: PERMS,
      }),
      expect: 'medium',
    },
    {
      name: 'acceptance turned off',
      change: endpointServiceChange([serviceAcceptance(false, true)], { api: CONFIG }),
      expect: 'medium',
    },
    {
      name: 'allow * and acceptance off together',
      change: endpointServiceChange([servicePermission('added', '*'), serviceAcceptance(false)]),
      expect: 'high',
    },
    {
      name: 'allow own account',
      change: endpointServiceChange([servicePermission('added', `arn:aws:iam::${ACCOUNT}:root`)], { api: PERMS }),
      expect: 'info',
    },
    {
      name: 'remove *',
      change: endpointServiceChange([servicePermission('removed', '*')], { api: PERMS }),
      expect: null,
    },
    {
      name: 'acceptance turned on',
      change: endpointServiceChange([serviceAcceptance(true, false)], { api: CONFIG }),
      expect: null,
    },
  ];
}
