import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.ts';
import { closest, editDistance } from '../../cli/usage.ts';
import { netwatch } from '../support/cli.ts';

/**
 * `--help` and the command agree: every flag a command's help shows is one the command accepts, and every flag it
 * accepts is explained on a line of its own in the help (`  --flag …` or `  -h, --flag …`). The CLI reference in
 * docs/ is built on this. The commands come from the command table itself, so a new command is checked too.
 */

/** Every `--flag` the text mentions, leaving out another program's command line quoted in it (`aws ssm …`). */
function mentioned(help: string): Set<string> {
  const own = help.replace(/\baws [a-z0-9-]+ [a-z0-9-]+[^\n]*/g, '');
  return new Set([...own.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string));
}

/** Flags explained on an option line of their own: `  --flag VALUE   text` / `  -h, --help   text`. */
function explained(help: string): Set<string> {
  return new Set([...help.matchAll(/^ {2,}(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1] as string));
}

describe('every command: --help and the flags it accepts agree', async () => {
  const specs = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as const));

  it.each(specs.map(([name, spec]) => [name, spec] as const))('%s', (_name, spec) => {
    const accepted = new Set([...Object.keys(spec.options), 'help']);
    const shown = mentioned(spec.help);
    expect(
      [...shown].filter((f) => !accepted.has(f)),
      'shown in --help but not accepted',
    ).toEqual([]);
    const lines = explained(spec.help);
    expect(
      [...accepted].filter((f) => !lines.has(f)),
      'accepted but not explained in --help',
    ).toEqual([]);
  });

  it('the built command prints the same help', () => {
    for (const [name, spec] of specs) {
      const { code, stdout } = netwatch([name, '--help']);
      expect(code, name).toBe(0);
      expect(stdout, name).toBe(`${spec.help}\n`);
    }
  });
});

describe('a mistyped flag', () => {
  it('names the flag, suggests the closest and lists the flags of the command (exit 64)', () => {
    // Act
    const { code, stdout, stderr } = netwatch(['classify', '--formt', 'table', 'events']);
    // Assess
    expect(code).toBe(64);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('netwatch classify: unknown option --formt — did you mean --format?');
    expect(lines[1]).toMatch(/^options of classify: --format, --min-severity, --stats, .*--state, --help \(/);
    expect(lines).toHaveLength(2);
    expect(stderr).not.toContain('\'-- "--formt"'); // node's own wording, with its unbalanced quote
  });

  it('a value-taking flag without its value, and a switch given a value', () => {
    const missing = netwatch(['classify', 'events', '--format']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/^netwatch classify: --format needs a value: --format VALUE\n/);
    const extra = netwatch(['classify', '--stats=yes', 'events']);
    expect(extra.code).toBe(64);
    expect(extra.stderr).toMatch(/^netwatch classify: --stats takes no value \(it is a switch\)\n/);
  });

  it('suggests by edit distance and by prefix, and stays quiet when nothing is close', () => {
    const flags = ['--format', '--min-severity', '--state', '--stats', '--help'];
    expect(closest('--fromat', flags)).toBe('--format'); // a transposition is one edit
    expect(closest('--min-sev', flags)).toBe('--min-severity');
    expect(closest('--stat', flags)).toBe('--state');
    expect(closest('--verbose', flags)).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
