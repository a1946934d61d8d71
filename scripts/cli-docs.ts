/**
 * docs/cli.md's generated blocks: `netwatch --help` and each command's `--help`, exactly as the command prints them
 * (cli/main.ts `MAIN_HELP` and `COMMANDS`). A command without a block in docs/cli.md gets a section appended at the
 * end, so a new command is documented by `npm run generate:docs` before anyone writes prose for it.
 * test/docs/cli.test.ts fails while a block is stale, and checks the prose: every flag it names exists.
 */
import { COMMANDS, MAIN_HELP } from '../cli/main.ts';
import { block, blockNames, rewriteBlocks } from './doc-blocks.ts';

/** The help texts by block name: `netwatch` (the main help) and `netwatch <command>`. */
export async function helpTexts(): Promise<Map<string, string>> {
  const texts = new Map<string, string>([['netwatch', MAIN_HELP]]);
  for (const [name, load] of Object.entries(COMMANDS)) texts.set(`netwatch ${name}`, (await load()).help);
  return texts;
}

const fence = (text: string): string => `\`\`\`text\n${text.trimEnd()}\n\`\`\``;

/** docs/cli.md with every help block rewritten, and a section appended for each command that has none. */
export async function renderCliDocs(text: string): Promise<string> {
  const texts = await helpTexts();
  const rewritten = rewriteBlocks(text, 'docs/cli.md', (name) => {
    const help = texts.get(name);
    return help === undefined ? undefined : fence(help);
  });
  const present = new Set(blockNames(rewritten));
  const missing = [...texts.keys()].filter((name) => !present.has(name));
  if (missing.length === 0) return rewritten;
  const sections = missing.map((name) => `## \`${name}\`\n\n${block(name, fence(texts.get(name) ?? ''))}`);
  return `${rewritten.trimEnd()}\n\n${sections.join('\n\n')}\n`;
}
