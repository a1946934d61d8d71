import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, emptyTables, links } from '../support/markdown.ts';

/**
 * The link check CI runs (as part of `npm test`): every relative link and `#anchor` in README.md and docs/**\/*.md
 * resolves — the file exists, and the anchor is a heading of that file (GitHub's slugs) or an explicit id. External
 * URLs (http, https, mailto) are not fetched. Links inside code spans and fenced blocks are not links.
 */
const root = join(import.meta.dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

describe('links in README.md and docs/', () => {
  it('finds the documents', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => relative(root, f)))('%s: every relative link and anchor resolves', (file) => {
    // Prepare
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const broken: string[] = [];
    // Act
    for (const target of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: — not fetched
      const [file, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = file === '' ? path : join(dirname(path), decodeURIComponent(file));
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!resolved.endsWith('.md')) {
        broken.push(`${target}: an anchor into a file that is not markdown`);
        continue;
      }
      if (!anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor)))
        broken.push(`${target}: no heading "#${anchor}" in ${relative(root, resolved)}`);
    }
    // Assess
    expect(broken).toEqual([]);
  });

  it.each(files.map((f) => relative(root, f)))('%s: no table is a header without rows', (file) => {
    expect(emptyTables(readFileSync(join(root, file), 'utf8'))).toEqual([]);
  });

  it('the checker itself: finds a broken file, a broken anchor, and ignores code and external URLs', () => {
    // Prepare
    const text = [
      '# A title',
      '## Sinks reference: `sns` — paging',
      'See [x](#a-title), [y](#sinks-reference-sns--paging), [ext](https://example.com/#nope).',
      '`[not](a-link.md)`',
      '```',
      '[nor](this.md)',
      '```',
    ].join('\n');
    // Act
    const found = links(text);
    const offered = anchors(text);
    // Assess
    expect(found).toEqual(['#a-title', '#sinks-reference-sns--paging', 'https://example.com/#nope']);
    expect(offered.has('a-title')).toBe(true);
    expect(offered.has('sinks-reference-sns--paging')).toBe(true);
    expect(offered.has('nope')).toBe(false);
    expect(emptyTables('| a | b |\n|---|---|\nThe same schema.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n')).toEqual([1]);
  });
});
