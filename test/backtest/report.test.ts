import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApprovalCheck, parseAllowActor } from '../../cli/backtest/approvals.ts';
import { localUnits } from '../../cli/backtest/local-source.ts';
import { scanUnits } from '../../cli/backtest/pool.ts';
import { renderHtmlReport } from '../../cli/backtest/report-html.ts';
import { renderTextReport } from '../../cli/backtest/report-text.ts';
import { summarize, type BacktestSummary } from '../../cli/backtest/summary.ts';
import { buildLogTree } from './tree.ts';

const tree = buildLogTree();
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

async function summary(): Promise<BacktestSummary> {
  const { units } = await localUnits([tree.root]);
  const scan = await scanUnits(units, { workers: 1 });
  scan.errors.push('trail/x.json.gz record #3 at /Records/3/requestParameters: <bad> & "odd"');
  return summarize(scan, {
    sources: [tree.root],
    approvals: buildApprovalCheck({ allowActors: [parseAllowActor('*:role/ci-deployer')] }),
    seconds: 2,
    interrupted: false,
  });
}

describe('backtest reports', () => {
  it('HTML: one self-contained file with the headline numbers, both charts and every would-be page', async () => {
    const s = await summary();
    const html = renderHtmlReport(s);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<title>Netwatch backtest — ${tree.root}</title>`);
    // Headline: 6 risky findings, 3 kept from paging by the allowlist, 3 pages.
    expect(html).toMatch(/<div class="n">3<\/div><div class="l">would-be pages<\/div>/);
    expect(html).toMatch(/<div class="n">6<\/div><div class="l">risky findings \(medium\+\)<\/div>/);
    expect(html).toContain('<h2>Findings per day, by severity</h2>');
    expect(html).toContain('<h2>Top rules</h2>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('aria-label="Findings per day by severity"');
    expect(html).toContain('<title>2026-11-02: 2 high</title>');
    expect(html).toContain('sg-open-world: 6 findings');
    expect(html).toContain('<h2>Would-be pages (3)</h2>');
    expect(html).toContain('<h2>Kept from paging (3)</h2>');
    expect(html).toContain(
      'actor arn:aws:iam::111122223333:role/ci-deployer matches allowlist entry &quot;*:role/ci-deployer&quot;',
    );
    for (const day of ['2026-10-15', '2026-11-02', '2026-11-03']) expect(html).toContain(`<td>${day}</td>`);
    // Self-contained and safe: no script, no external asset, input text escaped.
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//i);
    expect(html).toContain('&lt;bad&gt; &amp; &quot;odd&quot;');
  });

  it('table: headline, breakdowns and pages as text', async () => {
    const text = renderTextReport(await summary(), 200);
    expect(text).toContain('Would have paged: 3  (risky findings 6; approved 0, allowlisted 3, expired approvals 0)');
    expect(text).toMatch(/sg-open-world\s+sg-open-world\s+6\s+6\s+3/);
    expect(text).toContain('Would-be pages (3)');
    expect(text).toMatch(/2026-10-15\s+0\s+2\s+0\s+0\s+0\s+1/);
    expect(text).toContain('Errors (1)');
  });

  it('issue 18: on a terminal the would-be pages table gives SUMMARY room (it was cut to 9 characters)', async () => {
    const s = await summary();
    // A long resource ARN, as Config items name some resources, is what used to eat the width.
    const first = s.pages[0];
    if (first) first.resource = `arn:aws:ec2:eu-west-1:111122223333:security-group/${first.resource}-with-a-long-name`;
    for (const width of [120, 160, 200]) {
      const text = renderTextReport(s, width);
      const lines = text.slice(text.indexOf('Would-be pages')).split('\n').slice(2);
      const header = lines[0] ?? '';
      const at = header.indexOf('SUMMARY');
      expect(header.length, `width ${width}`).toBeLessThanOrEqual(width);
      for (const [i, page] of s.pages.entries()) {
        const cell = (lines[i + 1] ?? '').slice(at);
        expect(cell.length, `width ${width}: ${cell}`).toBeGreaterThanOrEqual(Math.min(page.summary.length, 30));
        expect((lines[i + 1] ?? '').length).toBeLessThanOrEqual(width);
      }
    }
  });
});
