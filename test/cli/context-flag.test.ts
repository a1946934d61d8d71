import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netwatch } from '../support/cli.ts';

/**
 * `--context FILE` (issue 18 item 7): the README said "both commands also take --context" after a list of seven, and
 * route and backtest refused it. Every command that grades events takes it now (docs/cli.md names them:
 * test/docs/cli.test.ts), and it grades: NetworkAdmin named as
 * an automation role lowers the sample's HIGH sg-open-world to MEDIUM in each of them.
 */
const dir = mkdtempSync(join(tmpdir(), 'netwatch-context-'));
const context = join(dir, 'context.json');
writeFileSync(context, JSON.stringify({ automationRoles: ['arn:aws:iam::111122223333:role/NetworkAdmin'] }));
const EVENT = 'events/cloudtrail/authorize-sg-ingress-ssh-world.json';

describe('--context', () => {
  it('route and backtest grade with it', () => {
    const plain = netwatch(['route', EVENT]);
    const graded = netwatch(['route', '--context', context, EVENT]);
    expect(plain.stdout).toMatch(/^HIGH sg-open-world sg-0a1b2c3d4e5f60718/);
    expect(graded.code).toBe(0);
    expect(graded.stdout).toMatch(/^MEDIUM sg-open-world sg-0a1b2c3d4e5f60718/);

    const report = (args: string[]) =>
      JSON.parse(netwatch(['backtest', '--format', 'json', ...args, EVENT]).stdout) as {
        totals: { bySeverity: Record<string, number> };
      };
    expect(report([]).totals.bySeverity).toMatchObject({ high: 1, medium: 0 });
    expect(report(['--context', context]).totals.bySeverity).toMatchObject({ high: 0, medium: 1 });
  });

  it('route --findings refuses it: saved findings are graded already', () => {
    const { code, stderr } = netwatch(['route', '--context', context, '--findings', '-'], { input: '' });
    expect(code).toBe(64);
    expect(stderr).toMatch(/^netwatch: --context grades events; --findings are graded already/);
  });
});
