import type { Category } from './category.ts';
import type { ChangeEvent, DeltaKind } from './change.ts';
import type { ExposureKind } from './exposure.ts';
import type { Finding, FindingDraft } from './finding.ts';
import type { Severity } from './severity.ts';

/**
 * Facts about the estate a rule (or the severity adjustment step, shared/4-classify/adjust.ts) may use: internal-only VPCs,
 * the organisation's accounts, custom network Config rules, known automation. Pure data, passed in by the engine, so
 * rules stay pure: they never read env, call AWS or know sinks. Fields added after the first two are optional, with
 * the defaults documented on each (see {@link contextDefaults}).
 */
export interface RuleContext {
  /** VPC ids declared internal-only (an IGW attached there is critical). */
  internalVpcIds: ReadonlySet<string>;
  /** Account ids of the organisation (peering/endpoint-service principals inside it are less risky). */
  knownAccounts: ReadonlySet<string>;
  /**
   * The tag that marks a VPC internal-only, checked against the VPC's tags when enrichment looked them up
   * (`ChangeEvent.facts.vpcTags`). Default `netwatch:exposure=internal`.
   */
  internalVpcTag?: { key: string; value: string };
  /**
   * Names of custom (or renamed) AWS Config rules that guard the network, `*` wildcards allowed
   * (`acme-sg-*`, `*-no-public-rds`). Their NON_COMPLIANT flips are findings like the managed rules'.
   */
  networkConfigRules?: readonly string[];
  /**
   * ARN patterns of known automation (`arn:aws:iam::*:role/ci-deployer`), matched against the actor's role (session
   * issuer) and ARN: their changes are lowered one step, with the pattern named in `why`.
   */
  automationRoles?: readonly string[];
  /** Actor and attachment adjustments, each on by default; `false` turns one off. */
  adjust?: { rootActor?: boolean; longTermKeys?: boolean; sgAttachments?: boolean };
}

/** An empty context: what the CLI uses without a config file. */
export const EMPTY_CONTEXT: RuleContext = { internalVpcIds: new Set(), knownAccounts: new Set() };

/** The default internal-only VPC tag. */
export const DEFAULT_INTERNAL_TAG = { key: 'netwatch:exposure', value: 'internal' } as const;

/** The context's optional fields with their defaults filled in. */
export function contextDefaults(context: RuleContext): Required<
  Pick<RuleContext, 'internalVpcTag' | 'networkConfigRules' | 'automationRoles'>
> & {
  adjust: { rootActor: boolean; longTermKeys: boolean; sgAttachments: boolean };
} {
  return {
    internalVpcTag: context.internalVpcTag ?? DEFAULT_INTERNAL_TAG,
    networkConfigRules: context.networkConfigRules ?? [],
    automationRoles: context.automationRoles ?? [],
    adjust: {
      rootActor: context.adjust?.rootActor ?? true,
      longTermKeys: context.adjust?.longTermKeys ?? true,
      sgAttachments: context.adjust?.sgAttachments ?? true,
    },
  };
}

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

/**
 * A severity move a rule makes from facts beyond its deltas (the resource's attachments, enrichment): the adjust step
 * (shared/4-classify/adjust.ts) applies it with the actor's, one step per reason, and appends `why` to the finding.
 */
export interface SeverityAdjustment {
  /** -1 lowers, +1 raises, 0 only says what was seen. */
  steps: -1 | 0 | 1;
  why: string;
  /**
   * The move is the rule's own reading of the finding's reachability verdict (`Finding.reach`; its `why` names the
   * path): the generic reachability step of shared/4-classify/adjust.ts (lower an unreachable exposure, say a reachable
   * or unknown one) is then left out for this finding, so the path is said once.
   */
  gradesReach?: boolean;
}

/**
 * One detection rule: metadata + a pure classifier, self-contained: its runbook text and any severity adjustment of
 * its own live here too, so adding a rule touches its file and rules/index.ts only (test/rules/self-contained.test.ts
 * adds one to a copy of the tree and proves it). `id` equals the file name; the file also exports its own cases
 * as `cases()` (listed in rules/index.ts `RULE_CASES`), kept off the rule object so the Lambda bundles drop them.
 */
export interface Rule {
  id: string;
  title: string;
  /** What a responder reads: why this matters and what to check. */
  description: string;
  /**
   * What a responder checks first — the first two minutes of a runbook: email and Slack pages show it under "What to
   * check", the rule catalogue (docs/rules.md) lists it.
   */
  whatToCheck: string;
  category: Category;
  /** Delta kinds the rule reads; the engine skips the rule for changes without any. */
  deltaKinds: DeltaKind[];
  /**
   * Exposure kinds the rule grades from the state a change leaves (shared/net/exposure.ts). The engine also runs the
   * rule for a change without its delta kinds when the kept state shows one of these exposures moved (a Config item
   * that caught the state up, a prefix list seen from a group that uses it), and the rule owns their episodes.
   */
  exposureKinds?: ExposureKind[];
  /** Config resource types the rule covers. */
  resourceTypes: string[];
  /** CloudTrail API calls the rule covers. */
  apiCalls: ApiCallSpec[];
  classify(change: ChangeEvent, context: RuleContext): FindingDraft[];
  /**
   * This rule's own severity adjustment, applied to each of its findings after the actor's (shared/4-classify/adjust.ts):
   * pure, from the change's facts, the context and the finding as graded (its `reach`, kept state); undefined = no
   * move and nothing to say.
   */
  adjust?(change: ChangeEvent, context: RuleContext, finding: Finding): SeverityAdjustment | undefined;
}
