import { PARAM_SPECS } from './stack/params.ts';

/**
 * The two parameter blocks of serverless.yml, generated from the one parameter table (deploy/stack/params.ts
 * `PARAMS`) by `npm run generate:deploy`: `params.default` (every parameter's default, so osls resolves
 * `${param:…}` for one nobody set) and `custom.netwatch` (every parameter, resolved — what the plugin validates).
 * Everything between a block's BEGIN and END lines is rewritten; the rest of serverless.yml (the `ci` stage's
 * example values, functions, esbuild options) stays the operator's. test/deploy/params.test.ts fails while
 * serverless.yml differs from {@link renderServerlessParams} of itself.
 * @see https://github.com/oss-serverless/osls/blob/main/docs/guides/parameters.md
 */

const BEGIN = '# BEGIN generated from deploy/stack/params.ts (npm run generate:deploy): do not edit';
const END = '# END generated';

/** A YAML scalar: quoted where YAML would read something else than the text (empty, boolean, number). */
function scalar(text: string): string {
  return text === '' || /^(true|false|yes|no|on|off|null|~|[-+]?\d[\d._]*)$/i.test(text) ? `'${text}'` : text;
}

/** The lines of each generated block, by the key the block sits under. */
function blocks(): Record<'default' | 'netwatch', string[]> {
  return {
    default: PARAM_SPECS.map(({ name, spec }) => `${name}: ${scalar(spec.yamlDefault)}`),
    netwatch: PARAM_SPECS.map(({ name }) => `${name}: \${param:${name}}`),
  };
}

/**
 * serverless.yml with its generated blocks rewritten. Each block is the body of the mapping key (`default:` under
 * `params:`, `netwatch:` under `custom:`) whose first line is the BEGIN marker; it throws when a marker is missing,
 * so a hand edit that removes one is noticed.
 */
export function renderServerlessParams(text: string): string {
  let out = text;
  for (const [key, lines] of Object.entries(blocks())) {
    const pattern = new RegExp(`^( *)${key}:\\n( *)${literal(BEGIN)}\\n[\\s\\S]*?^\\2${literal(END)}\\n`, 'm');
    const match = pattern.exec(out);
    if (!match) throw new Error(`serverless.yml: no "${key}:" block starting with "${BEGIN}"`);
    const [, outer = '', inner = ''] = match;
    const body = [BEGIN, ...lines, END].map((l) => `${inner}${l}`).join('\n');
    out = out.replace(pattern, () => `${outer}${key}:\n${body}\n`);
  }
  return out;
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
