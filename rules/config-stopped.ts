import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { logging, loggingChange } from './cases/build.ts';

const NAMES = { 'config-recorder': 'configuration recorder', 'config-delivery-channel': 'delivery channel' } as const;

function classify(change: ChangeEvent): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const d of change.deltas) {
    if (d.kind !== 'logging' || (d.subject !== 'config-recorder' && d.subject !== 'config-delivery-channel')) continue;
    const what = `AWS Config ${NAMES[d.subject]} ${d.id}`;
    const stops = d.action === 'deleted' || (d.action === 'stopped' && d.subject === 'config-recorder');
    if (stops) {
      out.push({
        severity: 'high',
        summary: `${what} ${d.action}`,
        evidence: [d],
        why: [
          d.subject === 'config-recorder'
            ? "the recorder no longer records resource changes: Config history, Config rules and this monitor's Config feed go blind"
            : 'without a delivery channel Config cannot deliver configuration history, snapshots or notifications',
        ],
      });
    } else if (d.action === 'updated' && d.weakenings?.length) {
      out.push({
        severity: 'medium',
        summary: `${what} weakened: ${d.weakenings.join(', ')}`,
        evidence: [d],
        why: d.weakenings.map((w) => `weakening: ${w}`),
      });
    } else if (d.subject === 'config-delivery-channel' && (d.action === 'updated' || d.action === 'created')) {
      out.push({
        severity: 'low',
        summary: `${what} ${d.action}`,
        evidence: [d],
        why: ['PutDeliveryChannel can redirect Config deliveries; no weakening found, recorded only'],
      });
    }
  }
  return out;
}

const cfg = (name: string): { source: string; name: string } => ({ source: 'config.amazonaws.com', name });

/** What a responder checks first (pages show it; rules/index.ts `RUNBOOKS` lists it apart from the rule). */
export const whatToCheck =
  'AWS Config stopped recording or delivering: compliance and change history have a gap. Restart the recorder and check what changed while it was off.';

/** AWS Config recording stopped or its delivery removed. */
export const rule: Rule = {
  id: 'config-stopped',
  title: 'AWS Config recording stopped',
  description:
    'The AWS Config configuration recorder was stopped or deleted, or its delivery channel deleted or weakened. ' +
    'Config is the inventory and change history of every network resource and feeds Config rules and this ' +
    'monitor; stopping it hides subsequent changes. Check who did it and restart the recorder ' +
    '(StartConfigurationRecorder) or restore the delivery channel.',
  whatToCheck,
  category: 'config-stopped',
  deltaKinds: ['logging'],
  resourceTypes: ['AWS::Config::ConfigurationRecorder', 'AWS::Config::DeliveryChannel'],
  apiCalls: [
    {
      source: 'config.amazonaws.com',
      names: [
        'StopConfigurationRecorder',
        'DeleteConfigurationRecorder',
        'DeleteDeliveryChannel',
        'PutDeliveryChannel',
        'PutConfigurationRecorder',
      ],
    },
  ],
  classify,
};

/** This rule's cases: test/rules/cases.test.ts runs them. A function, so the Lambda bundles (which never call it) leave them out. */
export function cases(): RuleCase[] {
  return [
    {
      name: 'StopConfigurationRecorder',
      change: loggingChange(logging('config-recorder', 'stopped', 'default'), {
        api: cfg('StopConfigurationRecorder'),
      }),
      expect: 'high',
    },
    {
      name: 'DeleteConfigurationRecorder',
      change: loggingChange(logging('config-recorder', 'deleted', 'default'), {
        api: cfg('DeleteConfigurationRecorder'),
      }),
      expect: 'high',
    },
    {
      name: 'DeleteDeliveryChannel',
      change: loggingChange(logging('config-delivery-channel', 'deleted', 'default'), {
        api: cfg('DeleteDeliveryChannel'),
      }),
      expect: 'high',
    },
    {
      name: 'PutConfigurationRecorder dropping resource types',
      change: loggingChange(
        logging('config-recorder', 'updated', 'default', {
          weakenings: ['all resource types off'],
        }),
        { api: cfg('PutConfigurationRecorder') },
      ),
      expect: 'medium',
    },
    {
      name: 'PutDeliveryChannel (borderline)',
      change: loggingChange(logging('config-delivery-channel', 'updated', 'default'), {
        api: cfg('PutDeliveryChannel'),
      }),
      expect: 'low',
    },
    {
      name: 'StartConfigurationRecorder',
      change: loggingChange(logging('config-recorder', 'started', 'default'), {
        api: cfg('StartConfigurationRecorder'),
      }),
      expect: null,
    },
  ];
}
