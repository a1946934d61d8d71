import { RuleError, type InputLocation } from '../platform/errors.ts';
import type { ChangeEvent } from '../model/change.ts';
import { episodeRef, type Episode, type ExposureKind } from '../model/exposure.ts';
import type { Finding } from '../model/finding.ts';
import type { Rule, RuleContext } from '../model/rule.ts';
import type { ResourceState } from '../model/state.ts';
import { fingerprint } from './fingerprint.ts';

/** Findings for one change, and the rules that threw (each other rule still ran). */
export interface Evaluation {
  findings: Finding[];
  errors: RuleError[];
}

/**
 * Run every applicable rule on one change. A rule applies when the change holds a delta of a kind it reads, or — with
 * kept state — when an exposure of a kind it grades moved (a Config item that caught the state up, a prefix list
 * seen from a group that uses it). A rule that throws becomes a {@link RuleError} naming it; the rest still run
 * (ARCHITECTURE.md, error policy). With kept state each finding carries the episode of the exposure it grades (and
 * that episode joins its fingerprint) and the resource's state after the change.
 */
export function evaluate(
  change: ChangeEvent,
  rules: readonly Rule[],
  context: RuleContext,
  where: InputLocation = {},
): Evaluation {
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  const moved = movedExposureKinds(change);
  if (change.deltas.length === 0 && moved.size === 0) return { findings, errors };
  const kinds = new Set(change.deltas.map((d) => d.kind));
  const stateAfter = stateAfterOf(change);
  // A judgement made for another resource (a prefix list's or a group's change seen from a group, table or interface
  // that uses it) is about exposures that moved there: only the rules owning them run (the cause's deltas were
  // judged with the cause itself).
  const derived = change.state?.cause !== undefined;
  for (const rule of rules) {
    const owns = (rule.exposureKinds ?? []).some((k) => moved.has(k));
    if (derived ? !owns : !rule.deltaKinds.some((k) => kinds.has(k)) && !owns) continue;
    try {
      for (const draft of rule.classify(change, context)) {
        const episode = episodeOf(change, draft.exposures);
        const finding: Finding = {
          fingerprint: fingerprint(
            rule.id,
            change.account,
            change.region,
            change.resource,
            draft.evidence,
            episode?.id,
          ),
          ruleId: rule.id,
          title: draft.title ?? rule.title,
          summary: draft.summary,
          severity: draft.severity,
          category: rule.category,
          ...changeFields(change),
          evidence: draft.evidence,
          why: draft.why,
        };
        withCaller(finding, change);
        if (episode !== undefined) finding.episode = episodeRef(episode);
        if (stateAfter !== undefined) finding.stateAfter = stateAfter;
        const reach = reachOf(change, draft.exposures);
        if (reach !== undefined) finding.reach = reach;
        findings.push(finding);
      }
    } catch (cause) {
      errors.push(new RuleError(rule.id, change.id, cause, where));
    }
  }
  return { findings, errors };
}

/** Exposure kinds whose exposures differ before and after the change (kept state only). */
export function movedExposureKinds(change: ChangeEvent): Set<ExposureKind> {
  const out = new Set<ExposureKind>();
  if (change.state?.source !== 'kept') return out;
  for (const view of Object.values(change.state.resources)) {
    const text = (list: typeof view.exposures.before, kind: ExposureKind) =>
      list
        .filter((e) => e.kind === kind)
        .map((e) => `${e.key}|${e.label}`)
        .sort()
        .join('\n');
    for (const e of [...view.exposures.before, ...view.exposures.after])
      if (text(view.exposures.before, e.kind) !== text(view.exposures.after, e.kind)) out.add(e.kind);
  }
  return out;
}

/** The open episode (opened or continued by this change) holding one of the exposures a finding grades. */
function episodeOf(change: ChangeEvent, keys: readonly string[] | undefined): Episode | undefined {
  if (keys === undefined || keys.length === 0 || change.state?.source !== 'kept') return undefined;
  for (const view of Object.values(change.state.resources))
    for (const t of view.episodes)
      if (t.change !== 'closed' && t.episode.exposures.some((e) => keys.includes(e.key))) return t.episode;
  return undefined;
}

/** The fields every finding takes from its change: what, where, when, from which source. */
export function changeFields(
  change: ChangeEvent,
): Pick<Finding, 'resource' | 'account' | 'region' | 'at' | 'source' | 'changeId'> {
  return {
    resource: change.resource,
    account: change.account,
    region: change.region,
    at: change.at,
    source: change.source,
    changeId: change.id,
  };
}

/** Who made the change and how (actor, API call, related CloudTrail events), when known: set on `finding`. */
export function withCaller(finding: Finding, change: ChangeEvent): Finding {
  if (change.actor) finding.actor = change.actor;
  if (change.api) finding.api = change.api;
  if (change.related?.length) finding.related = change.related;
  return finding;
}

/**
 * Whether the internet can reach something through the exposures a finding grades (kept state only): reachable when
 * any of them is (an unknown verdict counts as reachable), unreachable when all are. A subnet's finding reads its
 * `subnet|<id>` verdict (instances launched there with public IPs).
 */
export function reachOf(change: ChangeEvent, keys: readonly string[] | undefined): Finding['reach'] {
  if (change.state?.source !== 'kept') return undefined;
  const wanted = keys?.length
    ? keys
    : change.resource.type === 'AWS::EC2::Subnet'
      ? [`subnet|${change.resource.id}`]
      : [];
  const verdicts = Object.values(change.state.resources).flatMap((view) =>
    wanted.flatMap((k) => (view.reach?.[k] !== undefined ? [view.reach[k]!] : [])),
  );
  if (verdicts.length === 0) return undefined;
  const open = verdicts.find((v) => v.verdict === 'reachable') ?? verdicts.find((v) => v.verdict === 'unknown');
  const pick = open ?? verdicts[0]!;
  return { verdict: pick.verdict, text: pick.text, ...(pick.assumed.length > 0 ? { assumed: pick.assumed } : {}) };
}

/** The state the change left on its own resource (kept state only). */
export function stateAfterOf(change: ChangeEvent): ResourceState | undefined {
  if (change.state?.source !== 'kept') return undefined;
  const views = Object.values(change.state.resources);
  return (change.state.resources[change.resource.id] ?? views[0])?.after;
}
