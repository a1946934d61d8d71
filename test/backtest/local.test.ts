import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApprovalCheck, parseAllowActor } from '../../cli/backtest/approvals.ts';
import { logPlace, wantedLogPath } from '../../cli/backtest/layout.ts';
import { localUnits } from '../../cli/backtest/local-source.ts';
import { scanUnits } from '../../cli/backtest/pool.ts';
import { summarize } from '../../cli/backtest/summary.ts';
import { buildLogTree } from './tree.ts';

const tree = buildLogTree();
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

describe('CloudTrail log layout', () => {
  it('reads account, region and day from a log path, and skips digests and days outside the window', () => {
    const path = 'trail/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/11/02/x.json.gz';
    expect(logPlace(path)).toEqual({ account: '111122223333', region: 'eu-west-1', day: '2026-11-02' });
    expect(wantedLogPath(path, { from: '2026-11-01' })).toBe(true);
    expect(wantedLogPath(path, { from: '2026-11-03' })).toBe(false);
    expect(wantedLogPath(path, { to: '2026-11-01' })).toBe(false);
    expect(wantedLogPath('/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/02/d.json.gz')).toBe(false);
    expect(wantedLogPath('notes.txt')).toBe(false);
    expect(wantedLogPath('loose/export.jsonl')).toBe(true);
  });

  it('walks the tree in order, without digest files, and keeps to the window', async () => {
    const all = await localUnits([tree.root]);
    expect(all.errors).toEqual([]);
    expect(all.units).toHaveLength(6);
    expect(all.units.every((u) => u.kind === 'file' && !u.path.includes('Digest'))).toBe(true);
    const november = await localUnits([tree.root], { from: '2026-11-01' });
    expect(november.units).toHaveLength(4);
    const missing = await localUnits([`${tree.root}/nope`]);
    expect(missing.errors[0]).toMatch(/nope: cannot read input: no such file or directory/);
  });
});

describe('backtest over a log tree', () => {
  it('counts records, findings per rule, day, account and actor, and the would-be pages', async () => {
    // Prepare
    const { units } = await localUnits([tree.root], { from: '2026-11-01' });
    // Act
    const scan = await scanUnits(units, { workers: 1 });
    const summary = summarize(scan, {
      sources: [tree.root],
      window: { from: '2026-11-01T00:00:00.000Z' },
      seconds: 1,
      interrupted: false,
    });
    // Assess
    expect(scan.records).toBe(44);
    expect(scan.ignored).toBe(40);
    expect(summary.input).toMatchObject({ units: 4, records: 44, errors: 0, interrupted: false });
    expect(summary.totals).toMatchObject({ findings: 4, risky: 4, pages: 4 });
    expect(summary.byRule.map((t) => [t.key, t.findings, t.pages])).toEqual([['sg-open-world', 4, 4]]);
    expect(summary.byDay.map((t) => [t.key, t.findings])).toEqual([
      ['2026-11-02', 2],
      ['2026-11-03', 2],
    ]);
    expect(summary.byAccount.map((t) => [t.key, t.findings])).toEqual([['111122223333', 4]]);
    expect(summary.topActors.map((t) => [t.key, t.findings]).sort()).toEqual([
      ['arn:aws:iam::111122223333:role/NetworkAdmin', 2],
      ['arn:aws:iam::111122223333:role/ci-deployer', 2],
    ]);
    expect(summary.pages.every((p) => p.severity === 'high' && p.ruleId === 'sg-open-world')).toBe(true);
    expect(summary.approvals.checked).toBe(false);
  });

  it('shows what an actor allowlist would have saved', async () => {
    const { units } = await localUnits([tree.root], { from: '2026-11-01' });
    const scan = await scanUnits(units, { workers: 1 });
    const approvals = buildApprovalCheck({
      allowActors: [parseAllowActor('arn:aws:iam::*:role/ci-*:sg-open-world,sg-widened')],
    });
    const summary = summarize(scan, { sources: [tree.root], approvals, seconds: 1, interrupted: false });
    expect(summary.approvals).toMatchObject({ checked: true, wouldPage: 4, paged: 2, allowlisted: 2, approved: 0 });
    expect(summary.approvals.byEntry).toEqual([
      { entry: 'arn:aws:iam::*:role/ci-*:sg-open-world,sg-widened', findings: 2 },
    ]);
    expect(summary.suppressed.every((r) => r.actorArn === 'arn:aws:iam::111122223333:role/ci-deployer')).toBe(true);
    expect(summary.pages.every((r) => r.actor === 'NetworkAdmin')).toBe(true);
    // An entry for other categories does not apply.
    const other = summarize(scan, {
      sources: [],
      approvals: buildApprovalCheck({ allowActors: [parseAllowActor('*ci-deployer*:trail-stopped')] }),
      seconds: 1,
      interrupted: false,
    });
    expect(other.approvals).toMatchObject({ paged: 4, allowlisted: 0 });
  });

  it('gives the same result on two worker threads as in this thread, and counts a change read twice once', async () => {
    const { units } = await localUnits([tree.root]);
    const inThread = await scanUnits(units, { workers: 1 });
    const inWorkers = await scanUnits([...units, units[1]!], { workers: 2 });
    const a = summarize(inThread, { sources: [], seconds: 1, interrupted: false });
    const b = summarize(inWorkers, { sources: [], seconds: 1, interrupted: false });
    expect(inWorkers.units).toBe(7);
    expect(b.totals.duplicates).toBeGreaterThan(0);
    expect({ ...b.totals, duplicates: 0 }).toEqual({ ...a.totals, duplicates: 0 });
    expect(b.pages.map((p) => p.changeId)).toEqual(a.pages.map((p) => p.changeId));
  });

  it('parses --allow-actor: categories after the last colon only when they are categories', () => {
    expect(parseAllowActor('arn:aws:iam::123456789012:role/Deployer')).toMatchObject({
      pattern: 'arn:aws:iam::123456789012:role/Deployer',
      categories: [],
    });
    expect(parseAllowActor('*:role/Deployer:peering')).toMatchObject({
      pattern: '*:role/Deployer',
      categories: ['peering'],
    });
    expect(() => parseAllowActor(':peering')).toThrow(/empty/);
  });
});
