import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApprovalCheck } from '../../../cli/backtest/approvals.ts';
import { localUnits } from '../../../cli/backtest/local-source.ts';
import { scanUnits } from '../../../cli/backtest/pool.ts';
import { renderTextReport } from '../../../cli/backtest/report-text.ts';
import { summarize } from '../../../cli/backtest/summary.ts';
import { renderTable } from '../../../cli/format.ts';
import { eventLink, findingLink } from '../../../shared/6-deliver/sinks/format/console-link.ts';
import { EMAIL_SECTIONS, renderEmail } from '../../../shared/6-deliver/sinks/format/email.ts';
import { buildSlackMessage } from '../../../shared/6-deliver/sinks/slack.ts';
import { buildLogTree } from '../../backtest/tree.ts';
import { notice, sshWorldFinding } from '../../support/sink-fixtures.ts';
import { mrkdwnTexts } from '../../support/slack.ts';

/** Issue 12, "Output encoding, per sink": each case was reproduced on main. */
const ESC = '\x1b';
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('Slack', () => {
  const evil = '<!channel> <https://evil.example|Click to acknowledge> @here';

  it('escapes the top-level text fallback (it went out raw on a paged finding)', () => {
    const message = buildSlackMessage(notice(sshWorldFinding({ summary: evil })), { maxDeltas: 10 });
    expect(message.text).not.toContain('<!channel>');
    expect(message.text).not.toContain('<https://evil');
    expect(message.text).toContain('&lt;!channel&gt; &lt;https[:]//evil.example|Click to acknowledge&gt; @\u200bhere');
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('renders our own CloudTrail event link as a link (it was literal &lt;https…&gt;)', () => {
    const f = sshWorldFinding();
    const context = JSON.stringify(buildSlackMessage(notice(f), { maxDeltas: 10 }).blocks.at(-1));
    expect(context).toContain(`<${eventLink(f)}|CloudTrail event>`);
    expect(context).not.toContain('&lt;https');
  });

  it('has no link but ours, and no mention, in any text Slack parses (mrkdwn and the fallback)', () => {
    const f = sshWorldFinding({ summary: evil, resource: { type: 'AWS::EC2::SecurityGroup', id: '<@U0123>' } });
    const message = buildSlackMessage(notice(f), { maxDeltas: 10 });
    const parsed = [message.text, ...mrkdwnTexts(message.blocks)].join('\n');
    const links = [...parsed.matchAll(/<([^>]*)>/g)].map((m) => m[1]);
    expect(links).toEqual([`${eventLink(f)}|CloudTrail event`]);
    expect(JSON.stringify(message)).toContain(JSON.stringify(findingLink(f))); // the button
    // The header is plain_text: Slack shows it as is, nothing in it is parsed.
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
  });
});

describe('email (SNS)', () => {
  it('a newline in a record field cannot forge the APPROVAL or LINKS section', () => {
    // Prepare: an SG name and a user agent that try to add an approval and a phishing link.
    const forged =
      'web\n\nAPPROVAL\n  APPROVED CHG-FAKE: approved by the CAB\n\nLINKS\n  Console: https://evil.example';
    const f = sshWorldFinding({
      summary: `tcp/22 open on ${forged}`,
      actor: { arn: 'arn:aws:sts::111122223333:assumed-role/x/y', userAgent: forged },
    });
    // Act
    const text = renderEmail(notice(f));
    // Assess
    const lines = text.split('\n');
    for (const header of EMAIL_SECTIONS) expect(lines.filter((l) => l === header)).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('  APPROVED CHG-FAKE'))).toBe(false);
    expect(lines.some((l) => l.startsWith('  Console: https://evil.example'))).toBe(false);
    expect(text).toContain('web⏎⏎APPROVAL⏎  APPROVED CHG-FAKE');
  });
});

describe('terminal', () => {
  const nasty = `${ESC}]0;pwned${'\x07'}${ESC}[2J\nHIGH  fake-rule  sg-forged`;

  it('classify/replay tables: no escape reaches the terminal, no record forges a row', () => {
    const f = sshWorldFinding({ summary: nasty, resource: { type: 'AWS::EC2::SecurityGroup', id: `sg-1${ESC}[31m` } });
    const table = renderTable([f], { width: 200, color: false });
    expect(table.split('\n')).toHaveLength(2); // header + one row
    expect(table).not.toMatch(CONTROL);
    expect(table).toContain('\uFFFD]0;pwned\uFFFD\uFFFD[2J⏎HIGH  fake-rule');
  });

  it('backtest text report: the same for every record field it prints', async () => {
    const tree = buildLogTree();
    try {
      const { units } = await localUnits([tree.root]);
      const scan = await scanUnits(units, { workers: 1 });
      scan.errors.push(`trail/x.json record #1: ${nasty}`);
      const s = summarize(scan, {
        sources: [tree.root],
        approvals: buildApprovalCheck({}),
        seconds: 1,
        interrupted: false,
      });
      s.pages[0]!.summary = nasty;
      s.pages[0]!.actor = `${ESC}[8m`;
      const text = renderTextReport(s, 400);
      expect(text).not.toMatch(CONTROL);
      expect(text.split('\n').filter((l) => l.includes('fake-rule'))).toHaveLength(2); // the page row + the error line
    } finally {
      rmSync(tree.root, { recursive: true, force: true });
    }
  });
});

describe('console links', () => {
  it.each([
    ['eu-west-1.evil.example/x#', 'https://console.aws.amazon.com/'],
    ['evil.example', 'https://console.aws.amazon.com/'],
    ['eu-west-1', 'https://eu-west-1.console.aws.amazon.com/'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/'],
    ['cn-north-1', 'https://console.amazonaws.cn/'],
  ])('awsRegion %s links to %s', (region, host) => {
    const f = sshWorldFinding({ region });
    expect(findingLink(f).startsWith(host)).toBe(true);
    expect(eventLink(f)?.startsWith(host)).toBe(true);
  });
});
