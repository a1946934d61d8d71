import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../shared/config/default.ts';
import { loadConfigFile, loadConfigText, parseConfigText, validateConfig } from '../../shared/config/load.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { StaticSecretResolver } from '../../shared/platform/aws/secrets.ts';
import { sinksFromConfig } from '../../shared/config/build-delivery.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import { SINK_KINDS } from '../../shared/6-deliver/sinks/registry.ts';
import { REPO_ROOT } from '../support/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'netwatch-config-'));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const minimal = `
version: 1
sinks:
  paging: { type: file, path: out/pages.jsonl }
  change-log: { type: memory }
routes:
  - { name: page, kind: paging, match: { minSeverity: high }, sinks: [paging] }
  - { name: record, sinks: [change-log] }
`;

describe('config loading', () => {
  it('applies documented defaults to a minimal YAML config', () => {
    // Act
    const config = loadConfigText(minimal, 'netwatch.config.yml');
    // Assess
    expect(config.dedup).toEqual({ windowHours: 24, claimLeaseSeconds: 120 });
    expect(config.grouping).toEqual({ windowMinutes: 5 });
    expect(config.routes[1]).toEqual({
      name: 'record',
      kind: 'record',
      match: {},
      sinks: ['change-log'],
      resolved: false,
    });
    expect(config.state).toEqual({});
    expect(config.approvals).toEqual({ static: [], sync: [], maxWindowDays: 30 }); // issue 12: windows are capped (default 30 days); issue 15: sync sources
    expect(config.context).toEqual({ internalVpcIds: [], knownAccounts: [] });
  });

  it('reads JSON by extension and by content', () => {
    const json = JSON.stringify({
      version: 1,
      sinks: { p: { type: 'memory' } },
      routes: [{ name: 'r', sinks: ['p'] }],
    });
    expect(loadConfigText(json, 'netwatch.config.json').routes[0]?.name).toBe('r');
    expect(loadConfigText(json, 'from-ssm').routes[0]?.name).toBe('r');
  });

  it('lists every problem of a bad config with its path, and names the file', async () => {
    // Prepare: one config with many independent mistakes.
    const file = join(dir, 'bad.config.yml');
    writeFileSync(
      file,
      `
version: 2
sinks:
  paging: { type: file, path: out/p.jsonl, colour: red }
  pager: { type: carrier-pigeon }
  hook: { type: memory, apiToken: hunter2 }
routes:
  - name: page
    kind: urgent
    match: { minSeverty: high, categories: [sg-open-wrld], accounts: ['1111'], approval: [maybe] }
    sinks: [paging, missing-sink]
  - name: page
    sinks: []
allowlists:
  - { name: ci, actorArnPatterns: [ci-deploy], categories: [sg-widened], reason: CI }
approvals:
  static:
    - ticket: CHG0012345
      windowStart: '2026-11-20T12:00:00Z'
      windowEnd: '2026-11-20T09:00:00Z'
      accounts: ['111122223333']
    - ticket: CHG0000002
      windowStart: 'tomorrow'
      windowEnd: '2026-11-20T09:00:00Z'
dedup: { windowHours: -1 }
extra: true
`,
    );
    // Act
    let error: unknown;
    try {
      await loadConfigFile(file);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(message).toContain(file);
    const expected: Array<[string, RegExp]> = [
      ['version', /must be 1/],
      ['(top level)', /unknown key "extra" \(allowed: version, sinks, routes/],
      ['sinks.paging', /unknown key "colour"/],
      [
        'sinks.pager.type',
        /unknown sink type "carrier-pigeon" \(known: sns, pagerduty, slack, webhook, servicenow, jira, securityhub, sqs, eventbridge, s3, stdout, file, log, memory\)/,
      ],
      ['sinks.hook', /unknown key "apiToken"/],
      ['sinks.hook.apiToken', /looks like a secret/],
      ['routes[0].kind', /paging|record/],
      ['routes[0].match', /unknown key "minSeverty".*minSeverity/],
      ['routes[0].match.categories[0]', /must be one of sg-open-world/],
      ['routes[0].match.accounts[0]', /12-digit/],
      ['routes[0].match.approval[0]', /approved|unapproved/],
      ['routes[1].sinks', /.+/],
      ['routes[0].sinks[1]', /no sink named "missing-sink"/],
      ['routes[1].name', /duplicate route name "page"/],
      ['allowlists[0].actorArnPatterns[0]', /ARN/],
      ['approvals.static[0].windowEnd', /must be after windowStart/],
      ['approvals.static[1].windowStart', /ISO-8601/],
      ['approvals.static[1]', /must say what it covers/],
      ['dedup.windowHours', /.+/],
    ];
    for (const [path, text] of expected) {
      expect(
        problems.some((p) => p.startsWith(`${path}: `) && text.test(p)),
        `${path} ${text} in:\n${problems.join('\n')}`,
      ).toBe(true);
    }
  });

  it('reports cross-section problems: routes naming missing sinks, duplicate names', () => {
    const problems = problemsOf(() =>
      validateConfig(
        {
          version: 1,
          sinks: { a: { type: 'memory' } },
          routes: [
            { name: 'r', sinks: ['a', 'b'] },
            { name: 'r', sinks: ['c'] },
          ],
        },
        'x.yml',
      ),
    );
    expect(problems).toEqual([
      'routes[0].sinks[1]: no sink named "b" (configured: a)',
      'routes[1].sinks[0]: no sink named "c" (configured: a)',
      'routes[1].name: duplicate route name "r"',
    ]);
  });

  it('reports YAML syntax errors with line numbers', () => {
    const problems = problemsOf(() =>
      parseConfigText('version: 1\nsinks:\n  a: { type: memory\nroutes: []\n', 'broken.yml'),
    );
    expect(problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('the built-in default config validates and pages only unapproved/expired medium+', () => {
    const config = defaultConfig('out');
    expect(Object.keys(config.sinks)).toEqual(['paging', 'change-log']);
    expect(config.routes.map((r) => [r.name, r.kind, r.match.approval ?? null])).toEqual([
      ['page-risky', 'paging', ['unapproved', 'expired']],
      ['change-management', 'record', null],
    ]);
  });
});

describe('secret references', () => {
  it('resolves every sink secret at start, and a missing one fails the start naming it', async () => {
    // Prepare: a config whose PagerDuty sink names an SSM parameter.
    const config = loadConfigText(
      `
version: 1
sinks:
  oncall: { type: pagerduty, routingKey: { ssm: /netwatch/pd } }
routes:
  - { name: page, kind: paging, sinks: [oncall] }
`,
      'secrets.yml',
    );
    const deps = (values: Record<string, string>) => ({
      clients: createAwsClients(),
      secrets: new StaticSecretResolver(values),
    });
    // Act + Assess: present → built; absent → SecretError naming the reference.
    const sinks = await sinksFromConfig(config, deps({ 'ssm:/netwatch/pd': 'R0UT1NGKEY' }));
    expect([...sinks.keys()]).toEqual(['oncall']);
    await expect(sinksFromConfig(config, deps({}))).rejects.toThrow(/\/netwatch\/pd/);
  });
});

describe('netwatch.config.example.yml', () => {
  const needed = ['sns', 'webhook', 's3'];
  const missing = needed.filter((k) => !(k in SINK_KINDS));
  it.skipIf(missing.length > 0)(
    `validates (needs the full sink registry; missing here: ${missing.join(', ') || 'none'})`,
    async () => {
      const config = await loadConfigFile(join(REPO_ROOT, 'netwatch.config.example.yml'));
      expect(config.routes.map((r) => r.name)).toEqual([
        'page-unapproved',
        'page-prod-high',
        'change-management',
        'tickets',
      ]);
      expect(config.approvals.sync.map((s) => s.name)).toEqual(['servicenow-changes']);
      expect(config.approvals.static[0]?.ticket).toBe('CHG0012345');
    },
  );

  it('is valid YAML whose non-sink sections validate with the minimal registry', async () => {
    const { readFile } = await import('node:fs/promises');
    const raw = parseConfigText(
      await readFile(join(REPO_ROOT, 'netwatch.config.example.yml'), 'utf8'),
      'example',
    ) as Record<string, unknown>;
    const routes = (raw['routes'] as Array<{ sinks: string[] }>).map((r) => ({ ...r, sinks: r.sinks.map(() => 'm') }));
    const config = validateConfig({ ...raw, sinks: { m: { type: 'memory' } }, routes }, 'example');
    expect(config.allowlists[0]?.name).toBe('ci-deployer');
  });
});
