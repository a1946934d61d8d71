import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAME_RULE, sinksConfigSchema } from '../../shared/6-deliver/sinks/registry.ts';
import { validateConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Sink names had three rules (issue 18 item 7): the README said "lower-case letters, digits and dashes" in one place
 * and "A-Z a-z 0-9 . _ -" in another, the sinks' own schema refused what the config schema accepted. Now one rule:
 * the config, the sinks' schema, the error message and the docs say the same.
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

  it('the docs state the rule the error message states, and no other', () => {
    // The README is a front door now; the rule lives in docs/configuration.md (the generated key table and the prose).
    const docs = [
      'README.md',
      ...readdirSync(join(REPO_ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const text = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(text('docs/configuration.md').split(NAME_RULE).length - 1).toBe(2);
    for (const file of docs) {
      expect(text(file), file).not.toMatch(/lower-case letters, digits(,)? (and )?dashes/);
      expect(text(file), file).not.toContain('A-Z a-z 0-9 . _ -');
      expect(text(file), file).not.toMatch(/1–64 (letters|characters)/);
    }
  });
});
