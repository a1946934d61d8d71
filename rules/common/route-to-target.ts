import type { ChangeEvent, RouteDelta, RouteTargetKind } from '../../shared/model/change.ts';
import type { FindingDraft } from '../../shared/model/finding.ts';
import { coverUnion, isWholeSpace, tryParseCidr } from '../../shared/net/cidr.ts';

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
