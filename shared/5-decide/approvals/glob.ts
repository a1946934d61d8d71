/**
 * ARN / id globs for approvals and allowlists: `*` matches any run of characters (including `/` and `:`, so
 * `arn:aws:sts::111122223333:assumed-role/ci-deploy/*` covers every session of the role), `?` one character.
 * Everything else is literal and the match is whole-string and case-sensitive, as ARNs are.
 */
const compiled = new Map<string, RegExp>();

/** True when `value` matches `pattern`. */
export function globMatches(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, re);
  }
  return re.test(value);
}

/** True when any pattern matches any of the values (absent values skipped). */
export function anyGlobMatches(patterns: readonly string[], values: ReadonlyArray<string | undefined>): boolean {
  return patterns.some((p) => values.some((v) => v !== undefined && globMatches(p, v)));
}
