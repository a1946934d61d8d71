/**
 * Generated blocks inside hand-written docs: the text between `<!-- BEGIN generated: NAME -->` and
 * `<!-- END generated: NAME -->` is rewritten by `npm run generate:docs`, the prose around it is not. Used by
 * docs/cli.md (each command's `--help`) and docs/configuration.md (the key tables of the config schema); their
 * tests fail while a block differs from what the generator renders now.
 */

/** The opening marker of block `name`. */
export const begin = (name: string): string => `<!-- BEGIN generated: ${name} (npm run generate:docs) -->`;
/** The closing marker of block `name`. */
export const end = (name: string): string => `<!-- END generated: ${name} -->`;

/** The names of the blocks `text` holds, in order. */
export function blockNames(text: string): string[] {
  return [...text.matchAll(/<!-- BEGIN generated: (.+?) \(npm run generate:docs\) -->/g)].map((m) => m[1] ?? '');
}

/**
 * `text` with every block rewritten by `render(name)`. A block whose name `render` does not know (undefined) is an
 * error: a stale section must be removed by hand, not silently kept.
 */
export function rewriteBlocks(text: string, file: string, render: (name: string) => string | undefined): string {
  let out = text;
  for (const name of blockNames(text)) {
    const content = render(name);
    if (content === undefined) throw new Error(`${file}: generated block "${name}" has no generator (remove it)`);
    const start = out.indexOf(begin(name));
    const stop = out.indexOf(end(name), start);
    if (stop < 0) throw new Error(`${file}: no "${end(name)}" after "${begin(name)}"`);
    out = `${out.slice(0, start)}${begin(name)}\n${content.trimEnd()}\n${out.slice(stop)}`;
  }
  return out;
}

/** One generated block, markers included, for appending. */
export function block(name: string, content: string): string {
  return `${begin(name)}\n${content.trimEnd()}\n${end(name)}`;
}
