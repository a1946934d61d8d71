/**
 * Reading markdown the way GitHub renders it, for the docs tests (test/docs/): links, heading anchors, shell blocks.
 */

/** The text without fenced blocks and code spans (whose brackets are not links). */
export function withoutCode(text: string): string {
  return text
    .replace(/^(\s*)(```|~~~)[^\n]*\n[\s\S]*?\n\s*\2[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, (span) => ' '.repeat(span.length));
}

/** GitHub's heading anchor: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
export function slug(heading: string): string {
  return heading
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a file offers: its headings (duplicates numbered as GitHub does) and explicit ids. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const headings = text
    .replace(/^(\s*)(```|~~~)[^\n]*\n[\s\S]*?\n\s*\2[^\n]*$/gm, '')
    .matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm);
  for (const [, heading] of headings) {
    const base = slug(heading ?? '');
    const n = seen.get(base) ?? 0;
    out.add(n === 0 ? base : `${base}-${n}`);
    seen.set(base, n + 1);
  }
  for (const [, id] of text.matchAll(/\bid="([^"]+)"/g)) out.add(id ?? '');
  return out;
}

/** The links of a markdown text: inline `[text](target)` and `![alt](target)`, and reference definitions. */
export function links(text: string): string[] {
  const clean = withoutCode(text);
  const inline = [...clean.matchAll(/!?\[(?:[^\]\n]|\n(?!\n))*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] ?? '',
  );
  const refs = [...clean.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] ?? '');
  return [...inline, ...refs];
}

/** Tables whose header and separator rows are followed by no row (an empty, duplicated header). */
export function emptyTables(text: string): number[] {
  const lines = withoutCode(text).split('\n');
  const out: number[] = [];
  lines.forEach((line, i) => {
    const next = lines[i + 1] ?? '';
    const after = lines[i + 2] ?? '';
    if (/^\|.*\|\s*$/.test(line) && /^\|[\s|:-]+\|\s*$/.test(next) && !/^\|/.test(after)) out.push(i + 1);
  });
  return out;
}

/** A fenced shell block of a markdown page, with the HTML comment marker right before it (if any). */
export interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** `needs-aws`, `run-by-ci`, … from a `<!-- marker -->` line just before the fence (blank lines allowed). */
  marker: string | undefined;
}

/** The ```sh / ```bash / ```shell blocks of a page, indented ones (inside list items) included. */
export function shellBlocks(text: string): ShellBlock[] {
  const lines = text.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(sh|bash|shell)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    let j = i + 1;
    const body: string[] = [];
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? '')) {
      body.push((lines[j] ?? '').slice(indent.length));
      j++;
    }
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const marker = /^\s*<!--\s*([a-z-]+)\s*-->\s*$/.exec(lines[k] ?? '')?.[1];
    blocks.push({ line: i + 1, code: body.join('\n'), marker });
    i = j;
  }
  return blocks;
}
