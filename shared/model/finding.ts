import type { Category } from './category.ts';
import type { Actor, ApiCall, ChangeSource, NetworkDelta, ResourceRef } from './change.ts';
import type { EpisodeRef, Reachability } from './exposure.ts';
import type { Severity } from './severity.ts';
import type { ResourceState } from './state.ts';

/**
 * A graded statement about one change: what a responder reads and what routing keys on.
 * `fingerprint` is deterministic over (rule, resource, evidence) — never over time or source — so a redelivered
 * event and the Config item of the same CloudTrail change produce the same fingerprint (dedup relies on it).
 */
export interface Finding {
  fingerprint: string;
  ruleId: string;
  title: string;
  /** One line a responder reads first. */
  summary: string;
  severity: Severity;
  category: Category;
  resource: ResourceRef;
  account: string;
  region: string;
  actor?: Actor;
  api?: ApiCall;
  /** ISO-8601 time of the change. */
  at: string;
  source: ChangeSource;
  changeId: string;
  /** The deltas that made the rule fire. */
  evidence: NetworkDelta[];
  /** Why this severity: the rule's reasoning and every adjustment, in order. */
  why: string[];
  /** CloudTrail event ids related to the change (from the Config item), for cross-source dedup. */
  related?: string[];
  /**
   * The exposure episode the finding is about (kept state only): its id is part of the fingerprint, so a hole
   * opened again after it was closed is a new finding; `state: 'closed'` marks the record of a close.
   */
  episode?: EpisodeRef;
  /** The resource's network state after the change (kept state only): what change management records. */
  stateAfter?: ResourceState;
  /**
   * Whether the internet can reach something through the exposure now (kept state only, shared/net/reachability.ts):
   * the path, or the link that is missing. Unreachable lowers the grade one step (shared/4-classify/adjust.ts).
   */
  reach?: { verdict: Reachability['verdict']; text: string; assumed?: string[] };
  /** Opt-in response (docs/response.md): the revert planned, done or not done, and why. */
  response?: ResponseRecord;
}

/** What the opt-in response can do about a finding, a closed list (the change record's schema reads it). */
export const RESPONSE_ACTIONS = ['scheduled', 'reverted', 'would-revert', 'not-reverted', 'failed'] as const;

/** How the opt-in response runs: dry run (the default: say what would be reverted) or enforce. */
export const RESPONSE_MODES = ['dry-run', 'enforce'] as const;

/** What the opt-in response did (or would do) about a finding. */
export interface ResponseRecord {
  /** `scheduled`: will revert after the grace period unless approved; `reverted`: done; `would-revert`: dry run. */
  action: (typeof RESPONSE_ACTIONS)[number];
  mode: (typeof RESPONSE_MODES)[number];
  /** When the revert is (was) due. */
  dueAt?: string;
  /** The API calls, as text: `RevokeSecurityGroupIngress sg-… tcp/22 from 0.0.0.0/0`. */
  calls: string[];
  /** What AWS answered, or why nothing was done. */
  result?: string;
}

/** What a rule returns for one change; the engine adds identity (fingerprint, resource, actor, time). */
export interface FindingDraft {
  severity: Severity;
  /** Optional per-finding title; defaults to the rule's title. */
  title?: string;
  summary: string;
  evidence: NetworkDelta[];
  why: string[];
  /**
   * Keys of the exposures (of `change.state`) this finding grades, for rules that judge exposures: the engine
   * attaches their episode (shared/4-classify/evaluate.ts).
   */
  exposures?: string[];
}
