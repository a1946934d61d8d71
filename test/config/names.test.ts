import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAME_RULE, sinksConfigSchema } from '../../shared/6-deliver/sinks/registry.ts';
import { validateConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Sink names had three rules (issue 18 item 7): the README said "lower-case letters, digits and dashes" in one place
 * and "A-Z a-z 0-9 . _ -" in another, the sinks' own schema refused what the config schema accepted. Now one rule:
 * the config, the sinks' schema, the error message and the README say the same.
 */
const config = (sink: string) => ({
  version: 1,
  sinks: { [sink]: { type: 'log' } },
  routes: [{ name: 'all', kind: 'record', sinks: [sink] }],
});

describe('sink names: one rule', () => {
  it('what the config accepts, the sinks schema accepts, and the reverse', () => {
    for (const name of ['oncall', 'PagerDuty.primary_1', '0-archive', 'a'.repeat(64)]) {
      expect(() => validateConfig(config(name), 'c.yml'), name).not.toThrow();
      expect(sinksConfigSchema.safeParse({ [name]: { type: 'log' } }).success, name).toBe(true);
    }
    for (const name of ['Bad Name', '-dash-first', 'a#b', 'a'.repeat(65), '']) {
      const error = (() => {
        try {
          validateConfig(config(name), 'c.yml');
        } catch (e) {
          return e;
        }
      })();
      expect(error, name).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n'), name).toContain(`must be ${NAME_RULE}`);
      expect(sinksConfigSchema.safeParse({ [name]: { type: 'log' } }).success, name).toBe(false);
    }
  });

  it('the README states the rule the error message states, and no other', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme.split(NAME_RULE).length - 1).toBe(2);
    expect(readme).not.toMatch(/lower-case letters, digits(,)? (and )?dashes/);
    expect(readme).not.toContain('A-Z a-z 0-9 . _ -');
  });
});
