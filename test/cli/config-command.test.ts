import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigText as loadJsonOnly } from '../../shared/config/load-core.ts';
import { netwatch } from '../support/cli.ts';
import { REPO_ROOT } from '../support/corpus.ts';

describe('netwatch config', () => {
  it('validates the example config and summarises it', () => {
    const { code, stdout } = netwatch(['config', 'netwatch.config.example.yml']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'netwatch.config.example.yml: valid — 7 sinks (oncall: sns, change-webhook: webhook, servicenow: servicenow, jira: jira, security-hub: securityhub, archive: s3, lake: s3)',
    );
  });

  it('--json prints the YAML config as the JSON the functions read, and the JSON-only loader accepts it', () => {
    const { code, stdout } = netwatch(['config', 'netwatch.config.example.yml', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(parse(readFileSync(join(REPO_ROOT, 'netwatch.config.example.yml'), 'utf8')));
    expect(loadJsonOnly(stdout, 'ssm:/netwatch/prod/config').routes.map((r) => r.name)).toEqual([
      'page-unapproved',
      'page-prod-high',
      'change-management',
      'tickets',
    ]);
  });

  it('lists every problem of a bad config and exits 64', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'netwatch-config-')), 'bad.yml');
    writeFileSync(file, 'version: 2\nsinks: {}\n');
    const { code, stderr } = netwatch(['config', file]);
    expect(code).toBe(64);
    expect(stderr).toContain('version: must be 1');
    expect(stderr).toContain('sinks: configure at least one sink');
  });
});
