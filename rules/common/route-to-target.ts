import type { ChangeEvent, RouteDelta, RouteTarget, RouteTargetKind } from '../../shared/model/change.ts';
import type { FindingDraft } from '../../shared/model/finding.ts';
import type { RuleCase } from '../../shared/model/rule.ts';
import { coverUnion, isWholeSpace, tryParseCidr } from '../../shared/net/cidr.ts';
import { ec2, routeChange, routeDelta } from '../cases/build.ts';

/** The words one route target kind's findings use. */
export interface RouteTargetWords {
  /** The target in a summary: `peering`, `transit gateway`. */
  label: string;
  /** Where the traffic goes, for the `why` lines: `the peer VPC`, `the transit gateway`. */
  goesTo: string;
  /** Why a default route to it matters (after "every destination … now goes to …"). */
  defaultWhy: string;
  /** What a specific prefix to it records. */
  recorded: string;
}

/**
 * Routes to one kind of target that leads out of the VPC without being the internet (a peering connection, a transit
 * gateway): a default route (`0.0.0.0/0`, `::/0`, or halves that cover the space) hands the target every destination
 * this VPC has no more specific route for (medium); a specific prefix is recorded (low); a removal narrows (info); a
 * route that keeps its target is no change. route-to-peering and route-to-transit-gateway grade with this.
 */
export function routesToTarget(change: ChangeEvent, kind: RouteTargetKind, words: RouteTargetWords): FindingDraft[] {
  const routes = change.deltas.filter((d): d is RouteDelta => d.kind === 'route');
  const toTarget = routes.filter((d) => d.op !== 'removed' && d.target.kind === kind);
  const union = coverUnion(
    toTarget.filter((d) => d.destination.kind !== 'prefix-list').map((d) => d.destination.value),
  );
  const out: FindingDraft[] = [];
  for (const d of routes) {
    if (d.target.kind !== kind) continue;
    const where = `${d.destination.value} -> ${words.label} ${d.target.id ?? '(unknown)'} in ${d.routeTableId}`;
    if (d.op === 'removed') {
      out.push({
        severity: 'info',
        summary: `route removed: ${where}`,
        evidence: [d],
        why: [`traffic to ${words.goesTo} narrowed`],
      });
      continue;
    }
    if (d.op === 'changed' && d.beforeTarget?.kind === kind && d.beforeTarget.id === d.target.id) continue;
    const parsed = d.destination.kind === 'prefix-list' ? undefined : tryParseCidr(d.destination.value);
    const isDefault = parsed !== undefined && (isWholeSpace(parsed) || (parsed.version === 4 ? union.v4 : union.v6));
    out.push(
      isDefault
        ? {
            severity: 'medium',
            summary: `default route ${where} (${d.op})`,
            evidence: [d],
            why: [
              `every destination this VPC has no more specific route for now goes to ${words.goesTo}`,
              words.defaultWhy,
            ],
          }
        : {
            severity: 'low',
            summary: `route ${where} (${d.op})`,
            evidence: [d],
            why: [
              parsed
                ? `${d.destination.value}: traffic to this prefix goes to ${words.goesTo}`
                : `destination ${d.destination.value} is a prefix list (contents not visible here)`,
              words.recorded,
            ],
          },
    );
  }
  return out;
}

/**
 * The cases of a rule that grades with {@link routesToTarget}: a default route to `target` (medium), a specific prefix
 * (low), a removal (info), and a route to a NAT gateway that is not the rule's. `short` names the target in the case
 * names (`pcx`, `tgw`).
 */
export function routeToTargetCases(target: RouteTarget, short: string): RuleCase[] {
  return [
    {
      name: `CreateRoute 0.0.0.0/0 -> ${short}`,
      change: routeChange([routeDelta('added', '0.0.0.0/0', target)], { api: ec2('CreateRoute') }),
      expect: 'medium',
    },
    {
      name: `CreateRoute 10.20.0.0/16 -> ${short}`,
      change: routeChange([routeDelta('added', '10.20.0.0/16', target)], { api: ec2('CreateRoute') }),
      expect: 'low',
    },
    {
      name: `DeleteRoute to ${short}`,
      change: routeChange([routeDelta('removed', '10.20.0.0/16', target)], { api: ec2('DeleteRoute') }),
      expect: 'info',
    },
    {
      name: 'route to a NAT gateway is not this rule',
      change: routeChange([routeDelta('added', '0.0.0.0/0', { kind: 'nat-gateway', id: 'nat-0c1d2e3f4a5b69788' })], {
        api: ec2('CreateRoute'),
      }),
      expect: null,
    },
  ];
}
