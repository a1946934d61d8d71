/**
 * Name patterns in configuration (automation role ARNs, custom Config rule names): `*` matches any run of characters,
 * everything else is literal, and matching ignores case (IAM role names and Config rule names are unique regardless
 * of case). Kept tiny on purpose: a config file should not need regular expressions.
 */

/** True when `pattern` (with `*` wildcards) matches the whole of `text`, ignoring case. */
export function globMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(text);
}

/** The first of `patterns` that matches `text`, if any. */
export function firstMatch(patterns: readonly string[], text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return patterns.find((p) => globMatch(p, text));
}
