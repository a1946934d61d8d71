/**
 * A small EventBridge pattern matcher for tests: exact values, `{"exists": bool}`, `{"anything-but": v}`, `{"prefix": p}`, nested objects, arrays in the
 * event (any element matches) and `$or`. Enough for the patterns Netwatch generates; not a general implementation.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
import { isObject } from '../../shared/platform/json.ts';
export function matchesPattern(pattern: Readonly<Record<string, unknown>>, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || !rule.some((branch) => isObject(branch) && matchesPattern(branch, event)))
        return false;
      continue;
    }
    const present = Object.hasOwn(fields, key);
    const value = fields[key];
    if (Array.isArray(rule)) {
      if (!rule.some((matcher) => leafMatches(matcher, value, present))) return false;
    } else if (isObject(rule)) {
      if (!present || !matchesPattern(rule, value)) return false;
    } else {
      throw new Error(`unsupported pattern at ${key}: ${JSON.stringify(rule)}`);
    }
  }
  return true;
}

function leafMatches(matcher: unknown, value: unknown, present: boolean): boolean {
  if (isObject(matcher)) {
    if (typeof matcher['exists'] === 'boolean') return matcher['exists'] === present;
    if ('anything-but' in matcher) {
      // Matches a present value equal to none of the listed ones.
      const excluded = [matcher['anything-but']].flat();
      if (!present) return false;
      return Array.isArray(value) ? value.some((v) => !excluded.includes(v)) : !excluded.includes(value);
    }
    if (typeof matcher['prefix'] === 'string') {
      const prefix = matcher['prefix'];
      return present && [value].flat().some((v) => typeof v === 'string' && v.startsWith(prefix));
    }
    throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
  }
  if (!present) return false;
  return Array.isArray(value) ? value.includes(matcher) : value === matcher;
}
