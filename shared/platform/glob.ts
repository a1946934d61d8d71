/**
 * The one wildcard matcher: approvals and allowlists (resource ids, ARNs), automation-role and Config-rule name
 * patterns in the context, and IAM action / resource patterns in endpoint policies all match through here.
 *
 * - `*` matches any run of characters, including `/` and `:` (so `arn:aws:iam::111122223333:role/ci-*` covers
 *   every ci role); `?` matches exactly one character; everything else is literal. The match is whole-string.
 * - A `*` or `?` in the *text* is an ordinary character, except that `?` in the pattern never matches a literal `*`
 *   of the text: IAM values can themselves hold wildcards, and `s3:Get?` must not "cover" `s3:Get*` (which means
 *   more than one character). So `s3:*` covers `s3:Get*`, and `s3:Get*` does not cover `s3:*`.
 * - The case rule is explicit at every call ({@link CaseRule}), because the sources differ: IAM actions and
 *   role / Config-rule names are case-insensitive, ARNs and resource ids are compared as written.
 * - Iterative with backtracking to the last `*`: O(pattern × text) in the worst case, never exponential, so a
 *   pattern from an attacker-written policy document (`*a*a*a*…b`) cannot stall a record.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html (wildcards, case)
 */

/** How letters compare: as written (`case-sensitive`) or ignoring case (`ignore-case`). */
export type CaseRule = 'case-sensitive' | 'ignore-case';

/** True when `pattern` matches the whole of `text` under `caseRule`. */
export function globMatch(pattern: string, text: string, caseRule: CaseRule): boolean {
  const p = caseRule === 'ignore-case' ? pattern.toLowerCase() : pattern;
  const v = caseRule === 'ignore-case' ? text.toLowerCase() : text;
  if (p === '*') return true;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const pc = p[pi];
    const vc = v[vi];
    if (pc !== undefined && pc !== '*' && (pc === vc || (pc === '?' && vc !== '*'))) {
      pi++;
      vi++;
    } else if (pc === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** The first of `patterns` that matches `text`, if any (absent text matches nothing). */
export function firstMatch(
  patterns: readonly string[],
  text: string | undefined,
  caseRule: CaseRule,
): string | undefined {
  if (text === undefined) return undefined;
  return patterns.find((p) => globMatch(p, text, caseRule));
}

/** True when any pattern matches any of the values (absent values skipped). */
export function anyGlobMatches(
  patterns: readonly string[],
  values: ReadonlyArray<string | undefined>,
  caseRule: CaseRule,
): boolean {
  return patterns.some((p) => values.some((v) => v !== undefined && globMatch(p, v, caseRule)));
}
