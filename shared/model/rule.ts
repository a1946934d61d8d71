import type { Category } from './category.ts';
import type { ChangeEvent, DeltaKind } from './change.ts';
import type { FindingDraft } from './finding.ts';
import type { Severity } from './severity.ts';

/**
 * Facts about the estate a rule may use (internal-only VPCs, trusted actors). Pure data, passed in by the engine,
 * so rules stay pure: they never read env, call AWS or know sinks.
 */
export interface RuleContext {
  /** VPC ids declared internal-only (an IGW attached there is critical). */
  internalVpcIds: ReadonlySet<string>;
  /** Account ids of the organisation (peering/endpoint-service principals inside it are less risky). */
  knownAccounts: ReadonlySet<string>;
}

/** An empty context: what the CLI uses without a config file. */
export const EMPTY_CONTEXT: RuleContext = { internalVpcIds: new Set(), knownAccounts: new Set() };

/** The CloudTrail calls a rule needs; the deploy stack generates EventBridge patterns from these. */
export interface ApiCallSpec {
  /** `eventSource`, e.g. `ec2.amazonaws.com`. */
  source: string;
  names: string[];
}

/** A rule's own example: a change and what the rule must say about it. */
export interface RuleCase {
  name: string;
  change: ChangeEvent;
  /** `null` = must not fire; otherwise the highest severity it must produce. */
  expect: Severity | null;
}

/** One detection rule: metadata + a pure classifier + its own cases. `id` equals the file name. */
export interface Rule {
  id: string;
  title: string;
  /** What a responder reads: why this matters and what to check. */
  description: string;
  category: Category;
  /** Delta kinds the rule reads; the engine skips the rule for changes without any. */
  deltaKinds: DeltaKind[];
  /** Config resource types the rule covers. */
  resourceTypes: string[];
  /** CloudTrail API calls the rule covers. */
  apiCalls: ApiCallSpec[];
  classify(change: ChangeEvent, context: RuleContext): FindingDraft[];
  cases: RuleCase[];
}
