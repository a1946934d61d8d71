import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolePolicies } from '../support/iam-check.ts';
import { deployedFunctions, loadTemplate, MODES, packagedTemplates, ResolvedStack } from '../support/stack-template.ts';

/** docs/deploy.md says which permissions each function has: every action of every role in every mode is in it. */
const packaged = packagedTemplates('test/deploy/docs-permissions.test.ts');
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');

/** The text of `### <function>` up to the next heading. */
function section(key: string): string {
  const start = doc.indexOf(`### ${key}\n`);
  if (start < 0) return '';
  const next = doc.indexOf('\n##', start + 4);
  return doc.slice(start, next < 0 ? undefined : next);
}

describe.skipIf(!packaged)('docs/deploy.md lists what each role allows', () => {
  it.each(MODES)('%s: every action of every function role is named in its section', (mode) => {
    const stack = new ResolvedStack(loadTemplate(mode), { account: '111122223333', region: 'eu-west-1' });
    const missing: string[] = [];
    for (const fn of deployedFunctions(stack)) {
      const key = fn.roleId.replace(/Role$/, '').replace(/^./, (c) => c.toLowerCase());
      const text = section(key);
      expect(text, `docs/deploy.md has no "### ${key}" section`).not.toBe('');
      for (const { policy } of rolePolicies(stack, fn.roleId))
        for (const s of policy['Statement'] as { Action: string | string[] }[])
          for (const action of [s.Action].flat())
            if (!text.includes(`\`${action}\``)) missing.push(`${key}: ${action}`);
    }
    expect(missing).toEqual([]);
  });
});
