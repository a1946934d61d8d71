import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/corpus.ts';
import { NETWATCH_BIN, NO_AWS, netwatchAsync } from '../support/cli.ts';

/**
 * `netwatch sandbox` end to end, as docs/sandbox.md tells a newcomer to use it (issue 18 item 2): the sandbox runs in
 * its own process; the commands run in others with only its env.sh (no AWS account: NO_AWS), through the real sinks,
 * the real secret resolution and the real DynamoDB approvals table. Asserts on what the sandbox printed.
 */

const dir = mkdtempSync(join(tmpdir(), 'netwatch-sandbox-'));
let sandbox: ChildProcessWithoutNullStreams;
let printed = '';
const waiters: { pattern: RegExp; from: number; resolve: (rest: string) => void }[] = [];

/** Resolves once the sandbox has printed a line matching `pattern` after offset `from`: event-driven, no sleeps. */
function printedLine(pattern: RegExp, from = 0): Promise<string> {
  return new Promise((resolve) => {
    waiters.push({ pattern, from, resolve });
    check();
  });
}
function check(): void {
  for (const w of [...waiters])
    if (w.pattern.test(printed.slice(w.from))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(printed.slice(w.from));
    }
}

/** env.sh as a shell would apply it: `export K=V` lines. */
function sandboxEnv(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dir, 'env.sh'), 'utf8')
      .split('\n')
      .flatMap((l) => {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(l);
        return m ? [[m[1] ?? '', m[2] ?? '']] : [];
      }),
  );
}

beforeAll(async () => {
  sandbox = spawn(process.execPath, [NETWATCH_BIN, 'sandbox', '--dir', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  sandbox.stdout.on('data', (d: Buffer) => {
    printed += d.toString();
    check();
  });
  sandbox.stderr.on('data', (d: Buffer) => {
    printed += d.toString();
    check();
  });
  await printedLine(/What arrives:/);
}, 30_000);

afterAll(() => {
  if (sandbox.exitCode === null) sandbox.kill('SIGTERM');
});

describe('netwatch sandbox', () => {
  it('prints where everything is and the commands to run; its config is valid', async () => {
    expect(printed).toMatch(/DynamoDB emulator {2}http:\/\/127\.0\.0\.1:\d+ {2}tables netwatch-sandbox-approvals/);
    expect(printed).toContain(`source ${join(dir, 'env.sh')}`);
    const config = await netwatchAsync(['config', join(dir, 'netwatch.config.yml')]);
    expect(config.stderr).toBe('');
    expect(config.stdout).toMatch(
      /valid — 4 sinks \(pagerduty: pagerduty, slack: slack, change-webhook: webhook, servicenow: servicenow\)/,
    );
  });

  it('a risky change reaches every sink, secrets resolved locally; an approval then stops the page', async () => {
    // Prepare: only the sandbox's environment, on a machine with no AWS set up.
    const env = { ...NO_AWS.env, ...sandboxEnv() };
    const options = { env, unset: NO_AWS.unset };
    const config = join(dir, 'netwatch.config.yml');
    const event = join(dir, 'ssh-open-now.json');
    const commands = /In another terminal[^\n]*\n((?: {2}.*\n)+)/.exec(printed)?.[1] ?? '';
    const approve = /npx netwatch (approvals add .*)/.exec(commands)?.[1]?.split(' ') ?? [];

    // Act 1: the replay printed first.
    let from = printed.length;
    const first = await netwatchAsync(['replay', '--config', config, event], options);
    // Assess 1: one page to PagerDuty and Slack, a signed change record, a ServiceNow incident.
    expect(first.stderr).toMatch(
      /pagerduty: 1 delivered\nslack: 1 delivered\nchange-webhook: 1 delivered\nservicenow: 1 delivered/,
    );
    expect(first.code).toBe(0);
    const arrived = await printedLine(/servicenow {2}created incident/, from);
    expect(arrived).toMatch(/^ssm {9}GetParameter \/netwatch\/sandbox\/pagerduty-routing-key .*resolved locally$/m);
    expect(arrived).toMatch(/^secrets {5}GetSecretValue netwatch\/sandbox\/servicenow: resolved locally$/m);
    expect(arrived).toMatch(
      /^pagerduty {3}trigger error: \[HIGH\] Security group ingress open to the internet: sg-0a1b2c3d4e5f60718 .*tcp\/22 open to 0\.0\.0\.0\/0/m,
    );
    expect(arrived).toMatch(/^slack {7}\[HIGH\] Security group ingress open to the internet/m);
    expect(arrived).toMatch(
      /^webhook {5}finding: HIGH tcp\/22 open to 0\.0\.0\.0\/0 on sg-0a1b2c3d4e5f60718 \(ingress, added\) \(signature valid, unapproved, \d+ bytes\)$/m,
    );
    expect(arrived).toMatch(/^servicenow {2}created incident INC1000001: \[HIGH\] Security group ingress open/m);

    // Act 2: the approval printed, then the same replay.
    expect(approve[0]).toBe('approvals');
    const added = await netwatchAsync(approve, options);
    expect(added.stdout).toContain('added CHG0000001 to netwatch-sandbox-approvals');
    from = printed.length;
    const second = await netwatchAsync(['replay', '--config', config, event], options);
    // Assess 2: approved: recorded for change management with its ticket, no page, no incident.
    expect(second.stderr).toMatch(
      /pagerduty: 0 delivered\nslack: 0 delivered\nchange-webhook: 1 delivered\nservicenow: 0 delivered/,
    );
    const after = await printedLine(/webhook {5}finding: .*approved by CHG0000001/, from);
    expect(after).not.toMatch(/^(pagerduty|slack|servicenow) /m);
  }, 60_000);

  it('stops on SIGTERM, says so, exit 0', async () => {
    const exited = new Promise<number | null>((resolve) => sandbox.once('exit', (code) => resolve(code)));
    sandbox.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(printed).toMatch(/netwatch sandbox: stopped \(\d+ arrivals\)/);
  });
});
