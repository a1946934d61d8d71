import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AWS, netwatchAsync } from '../support/cli.ts';
import { type Sandbox, startSandbox } from '../support/sandbox.ts';

/**
 * `netwatch sandbox` end to end, as docs/sandbox.md tells a newcomer to use it (issue 18 item 2): the sandbox runs in
 * its own process; the commands run in others with only its env.sh (no AWS account: NO_AWS), through the real sinks,
 * the real secret resolution and the real DynamoDB approvals table. Asserts on what the sandbox printed.
 */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
}, 30_000);

afterAll(async () => {
  await sandbox.stop();
});

describe('netwatch sandbox', () => {
  it('prints where everything is and the commands to run; its config is valid', async () => {
    const printed = sandbox.printed();
    expect(printed).toMatch(/DynamoDB emulator {2}http:\/\/127\.0\.0\.1:\d+ {2}tables netwatch-sandbox-approvals/);
    expect(printed).toContain(`source ${join(sandbox.dir, 'env.sh')}`);
    const config = await netwatchAsync(['config', sandbox.config]);
    expect(config.stderr).toBe('');
    expect(config.stdout).toMatch(
      /valid — 4 sinks \(pagerduty: pagerduty, slack: slack, change-webhook: webhook, servicenow: servicenow\)/,
    );
  });

  it('a risky change reaches every sink, secrets resolved locally; an approval then stops the page', async () => {
    // Prepare: only the sandbox's environment, on a machine with no AWS set up.
    const options = { env: { ...NO_AWS.env, ...sandbox.env() }, unset: NO_AWS.unset };
    const event = join(sandbox.dir, 'ssh-open-now.json');
    const commands = /In another terminal[^\n]*\n((?: {2}.*\n)+)/.exec(sandbox.printed())?.[1] ?? '';
    const approve = /npx netwatch (approvals add .*)/.exec(commands)?.[1]?.split(' ') ?? [];

    // Act 1: the replay printed first.
    let from = sandbox.printed().length;
    const first = await netwatchAsync(['replay', '--config', sandbox.config, event], options);
    // Assess 1: one page to PagerDuty and Slack, a signed change record, a ServiceNow incident.
    expect(first.stderr).toMatch(
      /pagerduty: 1 delivered\nslack: 1 delivered\nchange-webhook: 1 delivered\nservicenow: 1 delivered/,
    );
    expect(first.code).toBe(0);
    const arrived = await sandbox.printedLine(/servicenow {2}created incident/, from);
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
    from = sandbox.printed().length;
    const second = await netwatchAsync(['replay', '--config', sandbox.config, event], options);
    // Assess 2: approved: recorded for change management with its ticket, no page, no incident.
    expect(second.stderr).toMatch(
      /pagerduty: 0 delivered\nslack: 0 delivered\nchange-webhook: 1 delivered\nservicenow: 0 delivered/,
    );
    const after = await sandbox.printedLine(/webhook {5}finding: .*approved by CHG0000001/, from);
    expect(after).not.toMatch(/^(pagerduty|slack|servicenow) /m);
  }, 60_000);

  it('a port that is taken or not a port: one line and exit 64, nothing left running', async () => {
    const taken = /receivers {10}http:\/\/127\.0\.0\.1:(\d+)/.exec(sandbox.printed())?.[1] ?? '';
    const busy = await netwatchAsync(['sandbox', '--dir', join(sandbox.dir, 'second'), '--port', taken]);
    expect(busy.code).toBe(64);
    expect(busy.stderr).toMatch(new RegExp(`^netwatch: --port ${taken}: listen EADDRINUSE`));
    const bad = await netwatchAsync(['sandbox', '--port', '99999']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^netwatch: --port must be a port number \(0-65535\), not "99999"/);
  });

  it('stops on SIGTERM, says so, exit 0', async () => {
    expect(await sandbox.stop()).toBe(0);
    expect(sandbox.printed()).toMatch(/netwatch sandbox: stopped \(\d+ arrivals\)/);
  });
});
