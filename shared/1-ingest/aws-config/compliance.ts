import type { InputLocation } from '../../platform/errors.ts';
import type { ChangeEvent, ComplianceDelta } from '../../model/change.ts';
import type { Normalized } from '../normalized.ts';
import { changes } from '../normalized.ts';
import { malformedAt } from './json-pointer.ts';
import { ComplianceNotificationSchema, parseAt } from './message.ts';

/**
 * `ComplianceChangeNotification` → one {@link ChangeEvent} with a {@link ComplianceDelta} about the evaluated
 * resource. Kept for every resource type: the rule (restricted-ssh, vpc-sg-open-only-to-authorized-ports, …)
 * already decided the resource matters. The id uses the new result's recorded time, which the SNS message and the
 * EventBridge event of the same evaluation share, so the two deliveries dedupe.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-config-rule-compliance-notification.html
 */
export function normalizeCompliance(message: unknown, where: InputLocation): Normalized {
  const m = parseAt(ComplianceNotificationSchema, message, where, '', 'ComplianceChangeNotification');
  const result = m.newEvaluationResult;
  const at =
    result.resultRecordedTime ?? result.evaluationResultIdentifier?.orderingTimestamp ?? m.notificationCreationTime;
  if (at === undefined) {
    throw malformedAt(
      where,
      '/newEvaluationResult/resultRecordedTime',
      'ComplianceChangeNotification has no evaluation time (resultRecordedTime, orderingTimestamp or notificationCreationTime)',
    );
  }
  const delta: ComplianceDelta = {
    kind: 'compliance',
    op: 'changed',
    configRuleName: m.configRuleName,
    after: result.complianceType,
  };
  if (m.oldEvaluationResult?.complianceType !== undefined) delta.before = m.oldEvaluationResult.complianceType;
  if (result.annotation !== undefined) delta.annotation = result.annotation;
  const event: ChangeEvent = {
    id: `config-compliance:${m.configRuleName}/${m.resourceType}/${m.resourceId}@${at}`,
    source: 'config',
    at,
    account: m.awsAccountId,
    region: m.awsRegion,
    resource: { type: m.resourceType, id: m.resourceId },
    deltas: [delta],
  };
  if (m.assumed.length > 0) event.assumed = m.assumed;
  return changes(event);
}
