import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../cli/format.ts';
import { changeRecordJson, buildChangeRecord } from '../../shared/6-deliver/sinks/format/change-record.ts';
import { eventLink, findingLink } from '../../shared/6-deliver/sinks/format/console-link.ts';
import { EMAIL_SECTIONS, renderEmail } from '../../shared/6-deliver/sinks/format/email.ts';
import { renderSms } from '../../shared/6-deliver/sinks/format/sms.ts';
import { buildPagerDutyEvent } from '../../shared/6-deliver/sinks/pagerduty.ts';
import { buildSlackMessage } from '../../shared/6-deliver/sinks/slack.ts';
import { buildSnsMessage } from '../../shared/6-deliver/sinks/sns.ts';
import type { Finding } from '../../shared/model/finding.ts';
import type { ApprovalVerdict, DigestNotice, Notice } from '../../shared/model/notice.ts';
import { mrkdwnTexts } from '../support/slack.ts';
import { fuzzRuns } from './arbitraries.ts';
import { printableCopy } from '../../shared/platform/printable.ts';
import { logsInsightsUrl } from '../../shared/2-enrich/traffic/query.ts';
import type { TrafficEvidence } from '../../shared/model/traffic.ts';

/**
 * Issue 12: arbitrary strings in every attacker-controlled field of a finding (everything a record can set: names,
 * ids, ARNs, tags, user agent, summary and why text, policy values, the region, the event id, the time) and of the
 * approval verdict → every rendering holds: no control bytes (terminal, email, SMS, Slack), no unescaped Slack control
 * sequence and no link but ours, each email section header exactly once, SMS and subject ASCII, and valid JSON for
 * the webhook / SQS / EventBridge / S3 bodies (the change record) and PagerDuty. `npm run fuzz` runs it at FUZZ_RUNS.
 */

/** Strings an attacker would try, mixed with arbitrary (binary: any code unit, lone surrogates too) text. */
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.constantFrom(
          '<!channel>',
          '<!here>',
          '<@U0123ABC>',
          '<#C0123>',
          '<https://evil.example|Click to acknowledge>',
          'https://evil.example/x',
          '@here',
          '@channel',
          '&amp;',
          '&',
          '<',
          '>',
          '\n',
          '\r\n',
          '\u2028',
          '\u0085',
          '\x1b]0;pwned\x07',
          '\x1b[2J',
          '\x9b31m',
          '\u202e',
          '\t',
          '\0',
          'APPROVAL',
          'LINKS',
          '  Console: https://evil.example',
          '*bold*',
          '`code`',
          'é',
          '\ud800',
          ' ',
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

const finding: fc.Arbitrary<Finding> = fc
  .record({
    summary: nasty,
    why: fc.array(nasty, { maxLength: 3 }),
    id: nasty,
    name: nasty,
    arn: nasty,
    tagKey: nasty,
    tagValue: nasty,
    account: nasty,
    region: fc.oneof(fc.constant('eu-west-1'), nasty),
    actorArn: nasty,
    userAgent: nasty,
    sourceIp: nasty,
    invokedBy: nasty,
    apiName: nasty,
    changeId: nasty,
    at: fc.oneof(fc.constant('2026-11-20T09:15:02Z'), nasty),
    groupName: nasty,
    cidr: nasty,
    policyValue: nasty,
    fingerprint: fc.oneof(fc.constant('4f1d2c3b4a5968776655443322110000'), nasty),
  })
  .map(
    (v): Finding => ({
      fingerprint: v.fingerprint,
      ruleId: 'sg-open-world',
      title: 'Security group ingress open to the internet',
      summary: v.summary,
      severity: 'high',
      category: 'sg-open-world',
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: v.id,
        name: v.name,
        arn: v.arn,
        tags: { [v.tagKey]: v.tagValue },
      },
      account: v.account,
      region: v.region,
      actor: {
        arn: v.actorArn,
        type: 'AssumedRole',
        userAgent: v.userAgent,
        sourceIp: v.sourceIp,
        invokedBy: v.invokedBy,
      },
      api: { source: 'ec2.amazonaws.com', name: v.apiName },
      at: v.at,
      source: 'cloudtrail',
      changeId: v.changeId,
      evidence: [
        {
          kind: 'sg-permission',
          op: 'added',
          groupId: v.id,
          groupName: v.groupName,
          permission: {
            direction: 'ingress',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            peer: { kind: 'cidr4', cidr: v.cidr },
          },
        },
        {
          kind: 'endpoint-policy',
          op: 'changed',
          endpointId: v.id,
          after: {
            kind: 'document',
            statements: [
              {
                effect: 'Allow',
                principals: [v.policyValue],
                actions: [v.policyValue],
                resources: ['*'],
                conditions: [{ operator: v.policyValue, key: v.policyValue, values: [v.policyValue] }],
              },
            ],
          },
        },
      ],
      why: v.why,
    }),
  );

const verdict: fc.Arbitrary<ApprovalVerdict> = fc.record({ ticket: nasty, description: nasty, reason: nasty }).map(
  (v): ApprovalVerdict => ({
    state: 'approved',
    approval: {
      ticket: v.ticket,
      description: v.description,
      windowStart: '2026-11-20T09:00:00Z',
      windowEnd: '2026-11-20T12:00:00Z',
      source: 'dynamodb',
    },
    reason: v.reason,
  }),
);

const page: fc.Arbitrary<Notice> = fc
  .tuple(finding, verdict)
  .map(([f, approval]): Notice => ({ kind: 'finding', finding: f, approval, routes: ['paging'] }));

/**
 * Issue 16's traffic follow-ups: flow-log text (addresses, ports, interfaces, log groups, notes, the summary) and the
 * Logs Insights link, which is built from the finding's (record) region as the evidence step builds it.
 */
const followUp: fc.Arbitrary<Notice> = fc
  .tuple(
    page,
    fc.record({ summary: nasty, note: nasty, address: nasty, port: nasty, eni: nasty, group: nasty, text: nasty }),
  )
  .map(([n, v]): Notice => {
    const traffic: TrafficEvidence = {
      status: 'traffic',
      summary: v.summary,
      since: '2026-11-20T09:15:02.000Z',
      until: '2026-11-20T09:30:00.000Z',
      interfaces: [v.eni],
      interfaceCount: 1,
      portScope: [v.port],
      sourceScope: 'external',
      externalSources: 1,
      accepted: { sources: 1, flows: 1, packets: 1, bytes: 1 },
      rejected: { sources: 0, flows: 0, packets: 0, bytes: 0 },
      ports: [{ protocol: v.port, port: 22, sources: 1, acceptedSources: 1, bytes: 1 }],
      topSources: [
        { address: v.address, bytes: 1, packets: 1, flows: 1, accepted: true, rejected: false, ports: [v.port] },
      ],
      truncated: false,
      query: {
        text: v.text,
        logGroups: [v.group],
        queryId: 'q-1',
        consoleUrl: logsInsightsUrl(
          n.finding.region,
          v.text,
          [v.group],
          new Date('2026-11-20T09:15:02Z'),
          new Date('2026-11-20T09:30:00Z'),
        ),
        savedQueryName: v.note,
      },
      notes: [v.note],
      gatheredAt: '2026-11-20T09:30:00.000Z',
    };
    return { ...n, traffic };
  });

/** Issue 14's record of a closed exposure episode (and the PagerDuty resolves it carries): who, what, when are text. */
const closed: fc.Arbitrary<Notice> = fc
  .tuple(page, fc.record({ id: nasty, exposure: nasty, by: nasty, key: nasty }))
  .map(
    ([n, v]): Notice => ({
      ...n,
      finding: {
        ...n.finding,
        severity: 'info',
        episode: {
          id: v.id,
          state: 'closed',
          kind: 'sg-ingress',
          exposure: v.exposure,
          openedAt: '2026-11-20T09:15:02.000Z',
          openedBy: v.by,
          closedAt: '2026-11-20T10:15:02.000Z',
          closedBy: v.by,
          openSeconds: 3600,
        },
      },
      resolves: [v.key],
    }),
  );

const notice: fc.Arbitrary<Notice> = fc.oneof({ weight: 3, arbitrary: page }, followUp, closed);
const digest: fc.Arbitrary<DigestNotice> = fc.array(finding, { minLength: 1, maxLength: 3 }).map((findings) => ({
  kind: 'digest',
  account: findings[0]!.account,
  ruleId: 'sg-open-world',
  windowStart: '2026-11-20T09:00:00.000Z',
  windowEnd: '2026-11-20T09:05:00.000Z',
  findings,
}));

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const runs = fuzzRuns(200);

/** Our own links in Slack text: `<console-url|label>`, the URL from format/console-link.ts. */
function withoutOurLinks(text: string, links: readonly string[]): string {
  let out = text;
  for (const url of links) out = out.split(`<${url}|CloudTrail event>`).join('');
  return out;
}

describe('every rendering of attacker-controlled text', () => {
  it('Slack: no control bytes, no unescaped <, >, &, no mention, no link but ours (mrkdwn and the fallback text)', () => {
    fc.assert(
      fc.property(fc.oneof(notice, digest), (n) => {
        const message = buildSlackMessage(n, { maxDeltas: 10 });
        const shown = printableCopy(n);
        const ours =
          shown.kind === 'finding' ? [eventLink(shown.finding)].filter((x): x is string => x !== undefined) : [];
        for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) {
          const rest = withoutOurLinks(text, ours);
          expect(rest).not.toMatch(/[<>]/);
          expect(rest).not.toMatch(/&(?!(amp|lt|gt);)/);
          expect(rest).not.toMatch(/@\w/);
          expect(rest).not.toMatch(/:\/\//);
          expect(text.replace(/\n/g, '')).not.toMatch(CONTROL);
        }
        expect(message.text).not.toContain('\n');
        // plain_text (header, buttons): no control bytes either; the button URL is ours.
        const json = JSON.stringify(message);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(message)));
        // The button URL is ours: built from the printable view of the finding, every record part encoded.
        for (const [, url] of json.matchAll(/"url":"([^"]*)"/g)) {
          expect(url).toMatch(
            /^https:\/\/[a-z0-9.-]+\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)\/[^\s<>|"]*$/,
          );
          // …or the follow-up's Logs Insights link, built by the evidence step through the same region check.
          if (n.kind === 'finding')
            expect([findingLink(printableCopy(n.finding)), n.traffic?.query?.consoleUrl]).toContain(url);
        }
      }),
      { numRuns: runs },
    );
  });

  it('email: no control bytes but our newlines, each section header exactly once', () => {
    fc.assert(
      fc.property(notice, (n) => {
        const text = renderEmail(n);
        expect(text.replace(/\n/g, '')).not.toMatch(CONTROL);
        const lines = text.split('\n');
        for (const header of EMAIL_SECTIONS) expect(lines.filter((l) => l === header)).toHaveLength(1);
        const traffic = lines.filter((l) => l === 'TRAFFIC SINCE IT OPENED (VPC flow logs)');
        expect(traffic).toHaveLength(n.traffic ? 1 : 0);
      }),
      { numRuns: runs },
    );
    fc.assert(
      fc.property(digest, (d) => {
        const text = renderEmail(d);
        expect(text.replace(/\n/g, '')).not.toMatch(CONTROL);
        expect(text.split('\n').filter((l) => l === 'FINDINGS')).toHaveLength(1);
      }),
      { numRuns: runs },
    );
  });

  it('SMS and the email subject: printable ASCII within their limits; SNS message valid JSON', () => {
    fc.assert(
      fc.property(fc.oneof(notice, digest), (n) => {
        const sms = renderSms(n);
        expect(sms).toMatch(/^[\x20-\x7e]{1,140}$/);
        const sns = buildSnsMessage(n, { subjectPrefix: 'Netwatch' });
        expect(sns.subject).toMatch(/^[\x21-\x7e][\x20-\x7e]{0,98}$/);
        const parsed = JSON.parse(sns.message) as { default: string; email: string; sms: string };
        expect(parsed.default).not.toMatch(CONTROL);
        expect(parsed.sms).toBe(sms);
      }),
      { numRuns: runs },
    );
  });

  it('terminal table: no control bytes, one line per finding', () => {
    fc.assert(
      fc.property(fc.array(finding, { minLength: 1, maxLength: 3 }), (findings) => {
        const table = renderTable(findings, { width: 160, color: false });
        expect(table.replace(/\n/g, '')).not.toMatch(CONTROL);
        expect(table.split('\n')).toHaveLength(findings.length + 1);
      }),
      { numRuns: runs },
    );
  });

  it('webhook / SQS / EventBridge / S3 bodies and PagerDuty events are valid JSON holding the original text', () => {
    const now = new Date('2026-11-20T10:00:00Z');
    fc.assert(
      fc.property(fc.oneof(notice, digest), (n) => {
        const { json } = changeRecordJson(n, now, 1_048_576, 'shortened');
        const record = JSON.parse(json) as { finding?: { summary: string } };
        if (n.kind === 'finding') expect(record.finding?.summary).toBe(n.finding.summary); // JSON escapes all
        expect(JSON.parse(JSON.stringify(buildChangeRecord(n, now)))).toBeTypeOf('object'); // the S3 line
        const pd = JSON.parse(JSON.stringify(buildPagerDutyEvent(n, { client: 'Netwatch' }, 'key', now))) as {
          payload: { summary: string };
        };
        expect(pd.payload.summary).not.toMatch(CONTROL);
      }),
      { numRuns: runs },
    );
  });
});
