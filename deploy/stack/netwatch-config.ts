import { EVIDENCE_CATEGORIES } from '../../shared/2-enrich/traffic/evidence.ts';
import type { StackParams } from './params.ts';

/**
 * The Netwatch config the stack writes to SSM when the operator brings none (`netwatchConfigParameter`): risky
 * findings page through the stack's paging topic (email / SMS subscriptions), every finding goes to the
 * change-management queue (and the webhook when `webhookUrl` is set), risky ones to Security Hub (`securityHub`), dedup
 * / storm control and approvals live in
 * the stack's tables. It is JSON text with `${…}` CloudFormation substitutions (Fn::Sub) for the ARNs and names the
 * stack creates; it holds references to secrets, never secrets. With `trafficEvidence`, risky findings of the evidence
 * categories also go (a `record` route) to the evidence queue, which feeds the traffic-evidence function.
 */
export function generatedConfigText(params: StackParams): string {
  const changeSinks = ['change-queue', ...(params.webhookUrl ? ['change-webhook'] : [])];
  const config = {
    version: 1,
    sinks: {
      paging: { type: 'sns', topicArn: '${PagingTopic}', subjectPrefix: `Netwatch ${params.stage}`.slice(0, 30) },
      'change-queue': { type: 'sqs', queueUrl: '${ChangeQueue}' },
      ...(params.trafficEvidence ? { 'evidence-queue': { type: 'sqs', queueUrl: '${EvidenceQueue}' } } : {}),
      ...(params.securityHub ? { 'security-hub': { type: 'securityhub', accountId: '${AWS::AccountId}' } } : {}),
      ...(params.webhookUrl && params.webhookSigningSecretParameter
        ? {
            'change-webhook': {
              type: 'webhook',
              url: params.webhookUrl,
              signingSecret: { ssm: params.webhookSigningSecretParameter },
            },
          }
        : {}),
    },
    routes: [
      {
        name: 'page-risky',
        kind: 'paging',
        match: { minSeverity: 'medium', approval: ['unapproved', 'expired'] },
        sinks: ['paging'],
      },
      { name: 'change-management', kind: 'record', sinks: changeSinks },
      ...(params.trafficEvidence
        ? [
            {
              name: 'traffic-evidence',
              kind: 'record',
              match: { minSeverity: 'medium', categories: [...EVIDENCE_CATEGORIES] },
              sinks: ['evidence-queue'],
            },
          ]
        : []),
      ...(params.securityHub
        ? [{ name: 'security-hub', kind: 'record', match: { minSeverity: 'medium' }, sinks: ['security-hub'] }]
        : []),
    ],
    context: {
      internalVpcIds: params.internalVpcIds,
      ...(params.internalVpcTag ? { internalVpcTag: params.internalVpcTag } : {}),
      knownAccounts: params.knownAccounts,
    },
    approvals: { dynamodb: { tableName: '${ApprovalsTable}' } },
    dedup: { tableName: '${DeliveryTable}' },
    ...(params.respondAccounts.length > 0
      ? {
          respond: {
            dryRun: params.respondDryRun,
            graceMinutes: params.respondGraceMinutes,
            categories: params.respondCategories,
            accounts: params.respondAccounts.map((a) => (a === 'self' ? '${AWS::AccountId}' : a)),
            queueUrl: '${RespondQueue}',
          },
        }
      : {}),
  };
  return JSON.stringify(config);
}
