import type { ChangeEvent, NetworkDelta } from '../model/change.ts';
import { durationText, episodeRef, type Episode } from '../model/exposure.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule } from '../model/rule.ts';
import { elementOps } from '../model/state.ts';
import { fingerprint } from './fingerprint.ts';
import { changeFields, stateAfterOf, withCaller } from './evaluate.ts';

/**
 * What a change with kept state adds to the rules' findings, so change management sees every network change and every
 * hole that closed:
 * - a **closed** record per episode the change closed: the owning rule's category, severity info, `episode.state`
 *   `closed` with who closed it, when, and how long it was open. Delivery sends PagerDuty `resolve` for the pages
 *   of that episode and, on routes that ask for it, a "resolved" notice (shared/6-deliver/orchestrate.ts). The rule's
 *   own info findings about that resource in this change are folded into it (one record per close);
 * - a **network-change** record (info) for a change nothing else recorded: tightening, egress, associations, a
 *   rule's edit — with the state after it.
 */

/** The rule id and category of the record kept for changes no rule found risky. */
export const NETWORK_CHANGE_RULE = 'network-change';
/** What to check on that record (a rule's `whatToCheck`, for the record no rule made). */
export const NETWORK_CHANGE_CHECK =
  'Recorded for change management: no rule found this change risky. The record carries the network state after the change; compare it with the approved design if the change was not planned.';

/**
 * Findings for `change` after the rules ran (the stateful path: shared/4-classify/classify.ts `judgeStateful`): closes,
 * and the record of an otherwise unrecorded change.
 */
export function lifecycleFindings(
  change: ChangeEvent,
  findings: readonly Finding[],
  rules: readonly Rule[],
): Finding[] {
  const closings: Finding[] = [];
  if (change.state?.source === 'kept')
    for (const view of Object.values(change.state.resources))
      for (const t of view.episodes) if (t.change === 'closed') closings.push(closingFinding(change, t.episode, rules));
  const kept = findings.filter(
    (f) => !(f.severity === 'info' && closings.some((c) => c.ruleId === f.ruleId && c.resource.id === f.resource.id)),
  );
  const out = [...kept, ...closings];
  // Every normalized change is a network change (the sources drop everything else): one record at least.
  if (out.length === 0) out.push(networkChangeFinding(change));
  return out;
}

function closingFinding(change: ChangeEvent, episode: Episode, rules: readonly Rule[]): Finding {
  // The rule that grades the exposure's kind owns its episodes (Rule.exposureKinds; one per kind, test/rules/registry).
  const rule = rules.find((r) => r.exposureKinds?.includes(episode.kind));
  const ruleId = rule?.id ?? `exposure:${episode.kind}`;
  const ref = episodeRef(episode);
  const label = episode.exposures.map((e) => e.label).join('; ') || episode.group;
  const open = ref.openSeconds !== undefined ? durationText(ref.openSeconds) : 'unknown';
  const resource = { type: episode.resource.type, id: episode.resource.id };
  const evidence = change.deltas.filter((d) => touches(d, episode.resource.id));
  const merged = episode.closeReason === 'merged';
  const finding: Finding = {
    fingerprint: fingerprint(ruleId, change.account, change.region, resource, [], `closed:${episode.id}`),
    ruleId,
    title: `${rule?.title ?? ruleId} — closed`,
    summary: merged
      ? `merged into a wider exposure: ${label} on ${episode.resource.id} (episode open ${open})`
      : `closed: ${label} on ${episode.resource.id} — open ${open}, since ${episode.opened.at}`,
    severity: 'info',
    category: rule?.category ?? 'network-change',
    ...changeFields(change),
    resource: change.resource.id === resource.id ? change.resource : resource,
    evidence,
    why: [
      merged
        ? 'the exposure joined another open episode of the same resource (that episode stays open)'
        : 'the exposure is gone from the state the change left behind',
      `opened ${episode.opened.at}${episode.opened.actor ? ` by ${episode.opened.actor}` : ''}${episode.opened.via ? ` (${episode.opened.via})` : ''}; closed ${change.at}${change.actor?.arn ? ` by ${change.actor.arn}` : ''}${change.api ? ` (${change.api.name})` : change.source === 'config' ? ' (AWS Config)' : ''}`,
      `open for ${open}`,
      ...(change.state?.cause
        ? [`closed through ${change.state.cause.resource.id} (${change.state.cause.changeId})`]
        : []),
    ],
    episode: ref,
  };
  withCaller(finding, change);
  const after = change.state?.resources[episode.resource.id]?.after;
  if (after !== undefined) finding.stateAfter = after;
  return finding;
}

function touches(delta: NetworkDelta, resourceId: string): boolean {
  return delta.kind === 'prefix-list-entry' || elementOps(delta).some((op) => op.resource.id === resourceId);
}

function networkChangeFinding(change: ChangeEvent): Finding {
  const counts = new Map<string, number>();
  for (const d of change.deltas) counts.set(`${d.kind} ${d.op}`, (counts.get(`${d.kind} ${d.op}`) ?? 0) + 1);
  const what = [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'state refreshed';
  const how = change.api?.name ?? (change.source === 'config' ? 'AWS Config' : 'CloudTrail');
  // One change, whichever source reports it: a Config item names its CloudTrail event in `related`.
  const identity = `change:${change.source === 'config' ? (change.related?.[0] ?? change.id) : change.id}`;
  const finding: Finding = {
    fingerprint: fingerprint(
      NETWORK_CHANGE_RULE,
      change.account,
      change.region,
      change.resource,
      change.deltas,
      identity,
    ),
    ruleId: NETWORK_CHANGE_RULE,
    title: 'Network change recorded',
    summary: `network change on ${change.resource.id} (${how}): ${what}`,
    severity: 'info',
    category: 'network-change',
    ...changeFields(change),
    evidence: [...change.deltas],
    why: [
      'no rule graded this change as risky (a tightening, an edit, an egress or association change); recorded for change management with the state after it',
      ...(change.notes ?? []),
      ...Object.values(change.state?.resources ?? {}).flatMap((v) => v.unknown),
    ],
  };
  withCaller(finding, change);
  const after = stateAfterOf(change);
  if (after !== undefined) finding.stateAfter = after;
  return finding;
}
