import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import type { Severity } from '../shared/model/severity.ts';
import { weakeningKind, type WeakeningKind } from '../shared/model/logging.ts';
import { ACCOUNT, logging, loggingChange, REGION } from './cases/build.ts';

/**
 * Weakenings that blind the trail outright (high): the network's write calls are no longer recorded (management
 * events off), no longer recorded in every Region (multi-region off), or recorded somewhere else (destination
 * changed). Any other weakening (validation, encryption, CloudWatch Logs delivery, excluded event sources) is medium.
 */
const BLINDING: ReadonlySet<WeakeningKind> = new Set<WeakeningKind>([
  'management events off',
  'multi-region off',
  'destination changed',
]);

function classify(change: ChangeEvent): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'logging' || d.subject !== 'trail') continue;
    if (d.action === 'stopped' || d.action === 'deleted') {
      out.push({
        severity: d.action === 'deleted' ? 'critical' : 'high',
        summary: `CloudTrail trail ${d.id} ${d.action === 'deleted' ? 'deleted' : 'stopped logging'}`,
        evidence: [d],
        why: [
          d.action === 'deleted'
            ? 'the trail and its configuration are gone: API activity is no longer recorded by it, and re-creating it needs its old settings'
            : 'StopLogging: the trail records nothing until StartLogging (defense evasion, MITRE T1562.008)',
        ],
      });
    } else if (d.action === 'updated') {
      const weak = d.weakenings ?? [];
      if (weak.length) {
        const blinding = weak.some((w) => BLINDING.has(weakeningKind(w)));
        out.push({
          severity: blinding ? 'high' : 'medium',
          summary: `CloudTrail trail ${d.id} weakened: ${weak.join(', ')}`,
          evidence: [d],
          why: [
            ...weak.map((w) => `weakening: ${w}`),
            blinding ? 'events are no longer recorded or go somewhere else' : 'logs are less trustworthy or complete',
          ],
        });
      } else {
        out.push({
          severity: 'info',
          summary: `CloudTrail trail ${d.id} updated`,
          evidence: [d],
          why: [d.strengthenings?.length ? `strengthened: ${d.strengthenings.join(', ')}` : 'no weakening found'],
        });
      }
    }
  }
  return out;
}

const TRAIL = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-audit`;
const ct = (name: string): { source: string; name: string } => ({ source: 'cloudtrail.amazonaws.com', name });

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'Audit logging stopped or weakened. Restart logging immediately, then review what else this principal did since (CloudTrail event history keeps 90 days of management events).';

/** CloudTrail stopped, deleted or weakened. */
export const rule: Rule = {
  id: 'trail-stopped',
  title: 'CloudTrail logging stopped or weakened',
  description:
    'A CloudTrail trail was stopped, deleted, or updated in a way that records less (management events off, ' +
    'multi-region off, log-file validation off, destination changed, ...). CloudTrail is the record every other ' +
    'investigation relies on, including this monitor; turning it off is the first step of many intrusions. Check who ' +
    'did it, restart/restore the trail, and review what the same principal did just before and after.',
  whatToCheck,
  category: 'trail-stopped',
  deltaKinds: ['logging'],
  resourceTypes: ['AWS::CloudTrail::Trail'],
  apiCalls: [
    { source: 'cloudtrail.amazonaws.com', names: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'StopLogging',
      change: loggingChange(logging('trail', 'stopped', TRAIL), { api: ct('StopLogging') }),
      expect: 'high',
    },
    {
      name: 'DeleteTrail',
      change: loggingChange(logging('trail', 'deleted', TRAIL), { api: ct('DeleteTrail') }),
      expect: 'critical',
    },
    {
      name: 'PutEventSelectors management events off',
      change: loggingChange(logging('trail', 'updated', TRAIL, { weakenings: ['management events off'] }), {
        api: ct('PutEventSelectors'),
      }),
      expect: 'high',
    },
    {
      name: 'UpdateTrail multi-region off',
      change: loggingChange(logging('trail', 'updated', TRAIL, { weakenings: ['multi-region off'] }), {
        api: ct('UpdateTrail'),
      }),
      expect: 'high',
    },
    {
      name: 'UpdateTrail to another bucket (destination changed)',
      change: loggingChange(logging('trail', 'updated', TRAIL, { weakenings: ['destination changed'] }), {
        api: ct('UpdateTrail'),
      }),
      expect: 'high',
    },
    {
      name: 'PutEventSelectors excluding KMS events (management event sources excluded)',
      change: loggingChange(
        logging('trail', 'updated', TRAIL, {
          weakenings: ['management event sources excluded: kms.amazonaws.com'],
        }),
        { api: ct('PutEventSelectors') },
      ),
      expect: 'medium',
    },
    {
      name: 'UpdateTrail log-file validation off',
      change: loggingChange(logging('trail', 'updated', TRAIL, { weakenings: ['log-file validation off'] }), {
        api: ct('UpdateTrail'),
      }),
      expect: 'medium',
    },
    {
      name: 'UpdateTrail multi-region on',
      change: loggingChange(logging('trail', 'updated', TRAIL, { strengthenings: ['multi-region on'] }), {
        api: ct('UpdateTrail'),
      }),
      expect: 'info',
    },
    {
      name: 'StartLogging',
      change: loggingChange(logging('trail', 'started', TRAIL), { api: ct('StartLogging') }),
      expect: null,
    },
    {
      name: 'CreateTrail',
      change: loggingChange(logging('trail', 'created', TRAIL), { api: ct('CreateTrail') }),
      expect: null,
    },
  ];
}
