import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.ts';
import { renderCliDocs } from '../../scripts/cli-docs.ts';
import { begin, end } from '../../scripts/doc-blocks.ts';

/**
 * docs/cli.md against the command itself: its help blocks are what each command prints, every flag a command accepts
 * is in its help, and the prose of a command's section names no flag the command does not accept.
 */
const root = join(import.meta.dirname, '..', '..');
const cliDoc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');

/** `--flag` words of a text, without those of other programs' command lines (`aws ssm put-parameter --name`). */
function flagsIn(text: string): Set<string> {
  const lines = text.split('\n').filter((line) => !/(^|\s)(aws|zcat|serverless|npx serverless) /.test(line));
  return new Set([...lines.join('\n').matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''));
}

/** The section of docs/cli.md about `netwatch <name>`: from its heading to the next `## `, blocks removed. */
function prose(name: string): string {
  const start = cliDoc.indexOf(`## \`netwatch ${name}\``);
  if (start < 0) return '';
  const next = cliDoc.indexOf('\n## ', start + 1);
  const section = cliDoc.slice(start, next < 0 ? undefined : next);
  const from = section.indexOf(begin(`netwatch ${name}`));
  const to = section.indexOf(end(`netwatch ${name}`));
  return from < 0 || to < 0 ? section : section.slice(0, from) + section.slice(to);
}

describe('docs/cli.md', () => {
  it('its help blocks are what the commands print (npm run generate:docs), one section per command', async () => {
    // Act
    const rendered = await renderCliDocs(cliDoc);
    // Assess
    expect(cliDoc).toBe(rendered);
    for (const name of Object.keys(COMMANDS)) expect(cliDoc).toContain(`## \`netwatch ${name}\``);
  });

  it.each(Object.keys(COMMANDS))(
    'netwatch %s: every flag it accepts is in its --help, and the reverse',
    async (name) => {
      // Prepare
      const command = await COMMANDS[name]?.();
      if (!command) throw new Error(`no command ${name}`);
      const accepted = new Set([...Object.keys(command.options), 'help']);
      // Act
      const inHelp = flagsIn(command.help);
      // Assess
      expect([...accepted].filter((flag) => !inHelp.has(flag))).toEqual([]);
      expect([...inHelp].filter((flag) => !accepted.has(flag))).toEqual([]);
    },
  );

  it.each(Object.keys(COMMANDS))('netwatch %s: every flag its section of cli.md names exists', async (name) => {
    // Prepare
    const command = await COMMANDS[name]?.();
    if (!command) throw new Error(`no command ${name}`);
    const accepted = new Set([...Object.keys(command.options), 'help']);
    // Act
    const named = flagsIn(prose(name));
    // Assess
    expect([...named].filter((flag) => !accepted.has(flag))).toEqual([]);
  });

  it('the shared section names --context, --enrich, --recorded-aws, --wait-ms only for commands that take them', async () => {
    // Prepare: the sentence that once said "both commands also take --context" after a list of seven.
    const shared = cliDoc.slice(cliDoc.indexOf('**Enrichment and context.**'), cliDoc.indexOf('**Kept state.**'));
    const takes = async (flag: string) => {
      const names: string[] = [];
      for (const [name, load] of Object.entries(COMMANDS)) if (flag in (await load()).options) names.push(name);
      return names;
    };
    // Act
    const withContext = await takes('context');
    // Assess: every command that grades events takes --context (route and backtest once did not), each is named
    // there, and no sentence says a command takes none.
    expect(withContext).toEqual(
      expect.arrayContaining(['classify', 'replay', 'route', 'backtest', 'exposures', 'scan']),
    );
    for (const name of withContext) expect(shared).toContain(`\`${name}\``);
    expect(shared).not.toMatch(/take no `--context`/);
  });
});
