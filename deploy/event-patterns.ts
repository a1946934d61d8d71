import { EXTRACTORS } from '../shared/1-ingest/aws-config/index.ts';
import { CLOUDTRAIL_API_CALLS } from '../shared/1-ingest/cloudtrail/index.ts';
import type { ApiCallSpec, Rule } from '../shared/model/rule.ts';

/**
 * EventBridge event patterns generated from the code — one source of truth: a rule declares the CloudTrail calls
 * (`apiCalls`) and Config resource types (`resourceTypes`) it reads, the normalizers the calls and types they turn into
 * network changes, and the stack's rules (and the member-account template) subscribe to exactly their union. Every
 * network change reaches the state and change management (a revoke, an egress rule, an association too), not only the
 * calls a rule grades; nothing else invokes Lambda.
 *
 * The output is committed as `deploy/event-patterns.json` (written by `npm run generate:deploy`, checked by a test):
 * osls resolves `${file(...)}` with `require()`, which can neither load TypeScript nor this ESM package's `.js`
 * files reliably, and a JSON file is plain data any tool (CloudFormation, the member template, reviewers) can read.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */

/** An EventBridge event pattern (a JSON object; leaves are arrays of values or matchers). */
export type EventPattern = Record<string, unknown>;

/** The generated patterns. */
export interface EventPatterns {
  /** "AWS API Call via CloudTrail" for every call a rule handles, successful calls only. */
  cloudtrail: EventPattern;
  /** Config item changes (and oversized summaries) for the rules' resource types, and compliance changes. */
  config: EventPattern;
}

/**
 * CloudTrail's `eventSource` (`ec2.amazonaws.com`) → the EventBridge `source` its events carry (`aws.ec2`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 */
export function eventBridgeSource(eventSource: string): string {
  const service = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(eventSource)?.[1];
  if (!service) throw new Error(`not an AWS service event source: ${eventSource}`);
  return `aws.${service}`;
}

/**
 * Union of the rules' API calls and the calls the CloudTrail normalizer turns into changes, grouped by event source,
 * names sorted (stable output).
 */
export function ruleApiCalls(rules: readonly Rule[]): ApiCallSpec[] {
  const bySource = new Map<string, Set<string>>();
  for (const calls of [...rules.map((r) => r.apiCalls), CLOUDTRAIL_API_CALLS]) {
    for (const call of calls) {
      const names = bySource.get(call.source) ?? new Set<string>();
      for (const name of call.names) names.add(name);
      bySource.set(call.source, names);
    }
  }
  return [...bySource]
    .filter(([, names]) => names.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, names]) => ({ source, names: [...names].sort() }));
}

/**
 * The CloudTrail pattern. One `$or` branch per event source, so `ec2.amazonaws.com` + `StopLogging` (a name of
 * another service) cannot match. Failed calls changed nothing: `errorCode` must be absent
 * (`{"exists": false}` matches a missing field).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export function cloudTrailPattern(rules: readonly Rule[]): EventPattern {
  const calls = ruleApiCalls(rules);
  return {
    source: [...new Set(calls.map((c) => eventBridgeSource(c.source)))],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      errorCode: [{ exists: false }],
      $or: calls.map((c) => ({ eventSource: [c.source], eventName: c.names })),
    },
  };
}

/**
 * The Config pattern (the EventBridge alternative to the Config SNS topic). Item changes carry the type in
 * `configurationItem.resourceType`, oversized ones in `configurationItemSummary.resourceType`; compliance changes in
 * `resourceType`. Rules reading compliance deltas contribute the evaluated types; the others, the item types.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
 */
export function configPattern(rules: readonly Rule[]): EventPattern {
  const itemTypes = new Set<string>();
  const complianceTypes = new Set<string>();
  for (const rule of rules) {
    const into = rule.deltaKinds.includes('compliance') ? complianceTypes : itemTypes;
    for (const type of rule.resourceTypes) into.add(type);
  }
  // Every type the Config normalizer reads is a network change (its state is kept, its change recorded).
  for (const type of EXTRACTORS.keys()) itemTypes.add(type);
  const items = [...itemTypes].sort();
  return {
    source: ['aws.config'],
    $or: [
      {
        'detail-type': ['Config Configuration Item Change'],
        detail: { messageType: ['ConfigurationItemChangeNotification'], configurationItem: { resourceType: items } },
      },
      {
        'detail-type': ['Config Configuration Item Change'],
        detail: {
          messageType: ['OversizedConfigurationItemChangeNotification'],
          configurationItemSummary: { resourceType: items },
        },
      },
      { 'detail-type': ['Config Rules Compliance Change'], detail: { resourceType: [...complianceTypes].sort() } },
    ],
  };
}

/** Both patterns. */
export function eventPatterns(rules: readonly Rule[]): EventPatterns {
  return { cloudtrail: cloudTrailPattern(rules), config: configPattern(rules) };
}

/** The committed file's text (2-space JSON + newline). */
export function renderEventPatterns(rules: readonly Rule[]): string {
  return `${JSON.stringify(eventPatterns(rules), null, 2)}\n`;
}
