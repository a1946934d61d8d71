import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { timeOption } from '../../cli/commands/backtest.ts';
import { buildLogTree } from './tree.ts';

const tree = buildLogTree();
const out = mkdtempSync(join(tmpdir(), 'netwatch-report-'));
afterAll(() => {
  rmSync(tree.root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('netwatch backtest', () => {
  it('prints a JSON summary of a log folder and exits 0', async () => {
    const code = await main(['backtest', tree.root, '--format', 'json', '--since', '2026-11-01', '--until', '2026-11-30', '--allow-actor', '*:role/ci-deployer:sg-open-world']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { totals: { pages: number; findings: number }; input: { units: number }; approvals: { allowlisted: number } };
    expect(summary.input.units).toBe(4);
    expect(summary.totals).toMatchObject({ findings: 4, pages: 2 });
    expect(summary.approvals.allowlisted).toBe(2);
  });

  it('writes the HTML report to --out', async () => {
    const file = join(out, 'report.html');
    expect(await main(['backtest', tree.root, '--format', 'html', '--out', file])).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('<h2>Would-be pages (6)</h2>');
    expect(stderr).toContain(`html report written to ${file} (6 would-be pages, 6 findings)`);
  });

  it('exits 2 and names the input when one is missing, still reporting the rest', async () => {
    expect(await main(['backtest', tree.root, join(tree.root, 'missing.json.gz')])).toBe(2);
    expect(stdout).toContain('Would have paged: 6');
    expect(stdout).toMatch(/missing\.json\.gz: cannot read input: no such file or directory/);
  });

  it('usage errors exit 64 with help', async () => {
    expect(await main(['backtest'])).toBe(64);
    expect(await main(['backtest', tree.root, '--format', 'pdf'])).toBe(64);
    expect(await main(['backtest', tree.root, '--since', 'last tuesday'])).toBe(64);
    expect(stderr).toContain('Usage: netwatch backtest');
    expect(await main(['help', 'backtest'])).toBe(0);
    expect(stdout).toContain('--lookup-events');
  });

  it('reads --since as a duration or a date', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(timeOption('--since', '7d', now).toISOString()).toBe('2026-11-13T12:00:00.000Z');
    expect(timeOption('--since', '12h', now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(timeOption('--since', '2026-10-01', now).toISOString()).toBe('2026-10-01T00:00:00.000Z');
  });
});
