import { cidr, change, perm, REGION, ACCOUNT, SG, sgDelta, routeDelta, RTB, IGW } from '../../rules/cases/build.ts';
import { RULES } from '../../rules/index.ts';
import { emptyClassified, judgeStateful, type ClassifyDeps } from '../../shared/4-classify/classify.ts';
import { StateEngine, type StateEngineOptions } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import type { ChangeEvent, NetworkDelta } from '../../shared/model/change.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';

/**
 * Builders for state-step tests: changes at explicit times with explicit ids (the rule-case builders number them),
 * and a judge that runs the whole stateful classify step (state → rules → lifecycle → adjust) on a memory store.
 */

export { ACCOUNT, REGION, SG, RTB, IGW, cidr, perm, sgDelta, routeDelta };

/** A CloudTrail change on `resource` at `at` (minutes after 09:00Z when a number). */
export function ct(
  resource: { type: string; id: string },
  deltas: NetworkDelta[],
  at: string | number,
  id: string,
  api = 'AuthorizeSecurityGroupIngress',
): ChangeEvent {
  const c = change({ ...resource }, deltas, { api: { source: 'ec2.amazonaws.com', name: api } });
  return { ...c, id, at: time(at) };
}

/** A Config change (with a snapshot of `state`) at `at`. */
export function cfg(
  resource: { type: string; id: string },
  deltas: NetworkDelta[],
  state: NetworkDelta[],
  at: string | number,
  related: string[] = [],
): ChangeEvent {
  const c = change({ ...resource }, deltas, { source: 'config' });
  const out: ChangeEvent = {
    ...c,
    id: `config:${resource.type}/${resource.id}@${time(at)}`,
    at: time(at),
    snapshot: { deleted: false, deltas: state },
  };
  if (related.length) out.related = related;
  return out;
}

export function time(at: string | number): string {
  if (typeof at === 'string') return at;
  return new Date(Date.parse('2026-03-02T09:00:00Z') + at * 60_000).toISOString();
}

export const SG_REF = { type: 'AWS::EC2::SecurityGroup', id: SG } as const;
export const RTB_REF = { type: 'AWS::EC2::RouteTable', id: RTB } as const;

/** A memory-backed judge: apply → rules → lifecycle → adjust, like the Lambda pipeline. */
export function stateJudge(options: Partial<StateEngineOptions> = {}) {
  const store = options.store ?? new MemoryStateStore();
  const engine = new StateEngine({ ...options, store });
  const deps: ClassifyDeps = { rules: RULES, context: EMPTY_CONTEXT, state: engine };
  return {
    store,
    engine,
    deps,
    async judge(c: ChangeEvent): Promise<Finding[]> {
      const result = emptyClassified();
      await judgeStateful(c, { file: c.id }, deps, result);
      if (result.errors.length) throw result.errors[0];
      return result.findings;
    },
  };
}

/** `severity ruleId` lines, for readable assertions. */
export function graded(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.ruleId}`);
}
