import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { timeOption } from '../../cli/commands/backtest.ts';
import type { BacktestSummary } from '../../cli/backtest/summary.ts';
import { netwatch } from '../support/cli.ts';
import { buildLogTree, groupOf } from './tree.ts';

// The built command, as users run it (dist/netwatch.js; with --workers, its compiled worker threads).
const tree = buildLogTree();
const out = mkdtempSync(join(tmpdir(), 'netwatch-report-'));
afterAll(() => {
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('netwatch backtest', () => {
  it('prints a JSON summary of a log folder and exits 0', async () => {
    const { code, stdout } = netwatch([
      'backtest',
      tree.root,
      '--format',
      'json',
      '--since',
      '2026-11-01',
      '--until',
      '2026-11-30',
      '--allow-actor',
      '*:role/ci-deployer:sg-open-world',
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as {
      totals: { pages: number; findings: number };
      input: { units: number };
      approvals: { allowlisted: number };
    };
    expect(summary.input.units).toBe(4);
    expect(summary.totals).toMatchObject({ findings: 4, pages: 2 });
    expect(summary.approvals.allowlisted).toBe(2);
  });

  it('writes the HTML report to --out', async () => {
    const file = join(out, 'report.html');
    const { code, stderr } = netwatch(['backtest', tree.root, '--format', 'html', '--out', file]);
    expect(code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('<h2>Would-be pages (6)</h2>');
    expect(stderr).toContain(`html report written to ${file} (6 would-be pages, 6 findings)`);
  });

  it('exits 2 and names the input when one is missing, still reporting the rest', async () => {
    const { code, stdout } = netwatch(['backtest', tree.root, join(tree.root, 'missing.json.gz')]);
    expect(code).toBe(2);
    expect(stdout).toContain('Would have paged: 6');
    expect(stdout).toMatch(/missing\.json\.gz: cannot read input: no such file or directory/);
  });

  it('--config: its context grades the findings (in worker threads too), its paging routes and static approvals decide the pages', async () => {
    // Prepare: ci-deployer is known automation (lowered one step, high → medium), only high pages, and an approved
    // change window covers alice's opening on 2026-11-02 but not the one on 2026-11-03.
    const config = join(out, 'netwatch.config.yml');
    writeFileSync(
      config,
      [
        'version: 1',
        'sinks: { oncall: { type: stdout } }',
        'routes:',
        '  - { name: page-high, kind: paging, match: { minSeverity: high, approval: [unapproved, expired] }, sinks: [oncall] }',
        'context:',
        "  automationRoles: ['arn:aws:iam::*:role/ci-deployer']",
        'approvals:',
        '  static:',
        `    - { ticket: CHG0042, windowStart: '2026-11-02T10:30:00Z', windowEnd: '2026-11-02T11:30:00Z', categories: [sg-open-world], resourceIds: [${groupOf('1111222233332026-11-02al')}, ${groupOf('1111222233332026-11-03al')}] }`,
        '',
      ].join('\n'),
    );
    // Act: on two worker threads, as the built command starts them.
    const { code, stdout } = netwatch([
      'backtest',
      tree.root,
      '--format',
      'json',
      '--since',
      '2026-11-01',
      '--config',
      config,
      '--workers',
      '2',
    ]);
    // Assess
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as BacktestSummary;
    expect(summary.config).toBe(config);
    expect(summary.totals).toMatchObject({ findings: 4, pages: 1, bySeverity: { high: 2, medium: 2 } });
    expect(summary.pages.map((p) => [p.at, p.actor])).toEqual([['2026-11-03T11:00:00Z', 'NetworkAdmin']]);
    expect(summary.suppressed.map((p) => [p.at, p.approval, p.approvalEntry])).toEqual([
      ['2026-11-02T11:00:00Z', 'approved', 'CHG0042'],
    ]);
    expect(summary.approvals).toMatchObject({ checked: true, wouldPage: 2, paged: 1, approved: 1, expired: 1 });
    expect(summary.pages[0]?.approvalReason).toBe(
      'approval CHG0042 covers this change but its window ended at 2026-11-02T11:30:00.000Z, 23 h 30 min before the change at 2026-11-03T11:00:00.000Z',
    );
    // The same run in the table format says which config applied.
    const table = netwatch(['backtest', tree.root, '--since', '2026-11-01', '--config', config]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      `Config ${config}: its context, paging routes, static approvals and allowlists applied`,
    );
    expect(table.stdout).toContain('Would have paged: 1');
    // And the HTML report, in its header and in the approvals section.
    const html = netwatch(['backtest', tree.root, '--since', '2026-11-01', '--config', config, '--format', 'html']);
    expect(html.code).toBe(0);
    expect(html.stdout).toContain(`Routes, context and approvals from <code>${config}</code>.`);
    expect(html.stdout).toContain(
      '2 findings would page unapproved; 1 approved, 0 allowlisted, 1 with an expired approval → <strong>1 pages</strong>',
    );
  });

  it('--config with a bad file lists its problems and exits 64, reading nothing', async () => {
    const config = join(out, 'bad.config.yml');
    writeFileSync(config, 'version: 1\nsinks: { oncall: { type: pager } }\nroutes: []\n');
    const { code, stdout, stderr } = netwatch(['backtest', tree.root, '--config', config]);
    expect(code).toBe(64);
    expect(stderr).toContain('unknown sink type "pager"');
    expect(stdout).not.toContain('Would have paged');
  });

  it('usage errors exit 64 with help', async () => {
    for (const args of [
      ['backtest'],
      ['backtest', tree.root, '--format', 'pdf'],
      ['backtest', tree.root, '--since', 'last tuesday'],
    ]) {
      const { code, stderr } = netwatch(args);
      expect(code, args.join(' ')).toBe(64);
      expect(stderr).toContain('Usage: netwatch backtest');
    }
    const help = netwatch(['help', 'backtest']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--lookup-events');
  });

  it('reads --since as a duration or a date', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(timeOption('--since', '7d', now).toISOString()).toBe('2026-11-13T12:00:00.000Z');
    expect(timeOption('--since', '12h', now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(timeOption('--since', '2026-10-01', now).toISOString()).toBe('2026-10-01T00:00:00.000Z');
  });

  it('issue 18: findings left out by --since are not counted as duplicates merged', () => {
    // Prepare / Act: the bundled samples (every change once, some read twice), whole and with a window after them all.
    const whole = JSON.parse(netwatch(['backtest', 'events', '--format', 'json']).stdout) as BacktestSummary;
    const later = netwatch(['backtest', 'events', '--since', '2030-01-01']);
    // Assess
    expect(whole.totals.outsideWindow).toBe(0);
    expect(later.code).toBe(0);
    expect(later.stdout).toContain(
      `Findings: 0  (critical 0, high 0, medium 0, low 0, info 0; 0 duplicates merged, ${whole.totals.findings + whole.totals.duplicates} outside the window)`,
    );
  });

  it('issue 18: a path that does not exist is an error on stderr, not an empty report', () => {
    const { code, stdout, stderr } = netwatch(['backtest', '/nonexistent']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'netwatch: /nonexistent: cannot read input: no such file or directory\nnetwatch backtest: no input could be read, so no report\n',
    );
  });

  it('issue 18: piped, the would-be pages keep their whole SUMMARY', () => {
    const { stdout } = netwatch(['backtest', 'events']);
    const pages = stdout.slice(stdout.indexOf('Would-be pages'));
    expect(pages).toContain(
      'all traffic open to 0.0.0.0/0 (in pl-0a1b2c3d4e5f6a7b8) on sg-0b2c3d4e5f6071829 (ingress, added)\n',
    );
  });
});
