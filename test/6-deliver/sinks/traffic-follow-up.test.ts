import { describe, expect, it } from 'vitest';
import { buildChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { noticeKey } from '../../../shared/6-deliver/sinks/format/digest.ts';
import { renderEmail } from '../../../shared/6-deliver/sinks/format/email.ts';
import { renderSms, SMS_MAX } from '../../../shared/6-deliver/sinks/format/sms.ts';
import { trafficLines } from '../../../shared/6-deliver/sinks/format/traffic.ts';
import { buildSlackMessage } from '../../../shared/6-deliver/sinks/slack.ts';
import { buildSnsMessage } from '../../../shared/6-deliver/sinks/sns.ts';
import type { Notice } from '../../../shared/model/notice.ts';
import type { TrafficEvidence } from '../../../shared/model/traffic.ts';
import { notice, sshWorldFinding } from '../../support/sink-fixtures.ts';

/** How each channel shows a traffic follow-up (the evidence of a finding delivered before). */
const TRAFFIC: TrafficEvidence = {
  status: 'traffic',
  summary: 'since it opened: 13 external sources reached tcp/22, 5 accepted',
  since: '2026-11-20T09:14:03.000Z',
  until: '2026-11-20T09:30:00.000Z',
  interfaces: ['eni-0a1b2c3d4e5f60718'],
  interfaceCount: 1,
  portScope: ['tcp/22'],
  sourceScope: 'external',
  externalSources: 13,
  accepted: { sources: 5, flows: 9, packets: 60, bytes: 48_200 },
  rejected: { sources: 8, flows: 16, packets: 70, bytes: 10_900 },
  ports: [{ protocol: 'tcp', port: 22, sources: 13, acceptedSources: 5, bytes: 59_100 }],
  topSources: [
    {
      address: '45.155.205.44',
      bytes: 16_100,
      packets: 20,
      flows: 3,
      accepted: true,
      rejected: false,
      ports: ['tcp/22'],
    },
    { address: '<b>evil</b>', bytes: 10, packets: 1, flows: 1, accepted: false, rejected: true, ports: ['tcp/22'] },
  ],
  truncated: false,
  query: {
    text: 'parse …',
    logGroups: ['/vpc/flow-logs/prod'],
    consoleUrl:
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(x)',
    savedQueryName: 'netwatch-prod/traffic-of-enis',
  },
  notes: ['flow log fl-1 records REJECT traffic only'],
  gatheredAt: '2026-11-20T09:30:00.000Z',
};
const followUp = (): Notice => ({ ...notice(), traffic: TRAFFIC });

describe('traffic follow-ups in each format', () => {
  it('keys: the finding keeps its fingerprint, the follow-up gets <fingerprint>.traffic', () => {
    expect(noticeKey(notice())).toBe(sshWorldFinding().fingerprint);
    expect(noticeKey(followUp())).toBe(`${sshWorldFinding().fingerprint}.traffic`);
  });

  it('email: the traffic section comes first, then the finding it follows up', () => {
    const text = renderEmail(followUp());
    expect(text.startsWith(`FOLLOW-UP [HIGH]`)).toBe(true);
    expect(text).toContain(
      'TRAFFIC SINCE IT OPENED (VPC flow logs)\n  since it opened: 13 external sources reached tcp/22, 5 accepted',
    );
    expect(text).toContain('  top 1: 45.155.205.44 — 16.1 KB, 3 flows, ACCEPT (tcp/22)');
    expect(text).toContain(
      '  Logs Insights: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(x) (saved query: netwatch-prod/traffic-of-enis)',
    );
    expect(text).toContain('  note: flow log fl-1 records REJECT traffic only');
    expect(text.indexOf('TRAFFIC SINCE')).toBeLessThan(text.indexOf('WHAT CHANGED'));
  });

  it('SNS subject and SMS say FOLLOW-UP; the SMS stays ASCII within 140 characters', () => {
    const sns = buildSnsMessage(followUp(), { subjectPrefix: 'Netwatch prod' });
    expect(sns.subject.startsWith('Netwatch prod [FOLLOW-UP] [HIGH]')).toBe(true);
    const sms = renderSms(followUp());
    expect(sms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(sms).toMatch(
      /^NETWATCH FOLLOW-UP sg-0a1b2c3d4e5f60718 since it opened: 13 external sources reached tcp\/22, 5 accepted/,
    );
    expect(/^[\x20-\x7e]*$/.test(sms)).toBe(true);
  });

  it('Slack: a traffic section with a button to the query; flow-log strings are mrkdwn-escaped', () => {
    const message = buildSlackMessage(followUp(), { maxDeltas: 10 });
    const json = JSON.stringify(message.blocks);
    expect(message.text).toContain('— since it opened: 13 external sources reached tcp/22, 5 accepted');
    expect(json).toContain('*Traffic since it opened*');
    expect(json).toContain('Open the flow-log query');
    expect(json).toContain('&lt;b&gt;evil&lt;/b&gt;');
    expect(json).not.toContain('<b>evil</b>');
  });

  it("change record: kind evidence, the finding's fingerprint, the traffic, its lines as details", () => {
    const record = buildChangeRecord(followUp(), new Date('2026-11-20T09:30:01Z'));
    expect(record).toMatchObject({ kind: 'evidence', fingerprint: sshWorldFinding().fingerprint, traffic: TRAFFIC });
    expect(record.change.summary).toBe(TRAFFIC.summary);
    expect(record.change.details).toEqual(trafficLines(TRAFFIC));
    expect(buildChangeRecord(notice(), new Date()).kind).toBe('finding');
  });
});
