import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate, MODES, packagedTemplates, ResolvedStack } from '../support/stack-template.ts';

/**
 * docs/operations.md's alarm table against the packaged templates (default, org and private modes): every alarm the
 * stack can create is explained there, and every row names an alarm some template creates.
 */
const packaged = packagedTemplates('test/docs/operations.test.ts');
const root = join(import.meta.dirname, '..', '..');
const ENV = { account: '111122223333', region: 'eu-west-1', stackName: 'netwatch-ci' };
const PREFIX = 'netwatch-ci-';

/** The alarm names of the table under "## What the alarms mean", `…-` removed: `config-dlq-not-empty`, `<function>-errors`. */
function documentedAlarms(): string[] {
  const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  const start = doc.indexOf('## What the alarms mean');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const firstCells = [...section.matchAll(/^\| (`[^|]+`) \|/gm)].map((m) => m[1] ?? '');
  return firstCells.flatMap((cell) => [...cell.matchAll(/`…-([^`]+)`/g)].map((m) => m[1] ?? ''));
}

/** The forms a concrete alarm name may be documented under. */
function forms(rest: string): string[] {
  return [
    rest,
    rest.replace(/^[A-Za-z0-9]+-/, '<function>-'),
    rest.replace(/^account-\d{12}-/, 'account-<id>-'),
    rest.replace(/^pl-.+-tcp-rejects$/, 'pl-<endpoint>-tcp-rejects'),
  ];
}

/** A documented name as a pattern over concrete names. */
function pattern(documented: string): RegExp {
  const escaped = documented.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${escaped.replace('<function>', '[A-Za-z0-9]+').replace('<id>', '\\d{12}').replace('<endpoint>', '.+')}$`,
  );
}

describe('docs/operations.md: the alarms', () => {
  it.skipIf(!packaged)('explains every alarm of the packaged templates, and names none they lack', () => {
    // Prepare
    const alarms = new Set<string>();
    for (const mode of MODES) {
      const stack = new ResolvedStack(loadTemplate(mode), ENV);
      for (const [, resource] of stack.of('AWS::CloudWatch::Alarm'))
        alarms.add(String(stack.resolve(resource.Properties?.['AlarmName'])));
    }
    const documented = documentedAlarms();
    // Act
    const rests = [...alarms].map((name) => {
      expect(name.startsWith(PREFIX)).toBe(true);
      return name.slice(PREFIX.length);
    });
    const undocumented = rests.filter((rest) => !forms(rest).some((form) => documented.includes(form)));
    const stale = documented.filter((d) => !rests.some((rest) => pattern(d).test(rest)));
    // Assess
    expect(alarms.size).toBeGreaterThan(20);
    expect(undocumented).toEqual([]);
    expect(stale).toEqual([]);
  });
});
