import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyGlobMatches, firstMatch, globMatch } from '../../shared/platform/glob.ts';

/** Issue 13 "one of each": one wildcard matcher (was three, with different case rules), the case rule explicit. */
describe('globMatch', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/ci-*', 'arn:aws:iam::111122223333:role/ci-deploy', true],
    ['arn:aws:iam::*:role/ci-deploy', 'arn:aws:iam::444455556666:role/ci-deploy', true],
    ['sg-0a1b*', 'sg-0a1b2c3d4e5f60718', true],
    ['sg-0a1b?', 'sg-0a1b2', true],
    ['sg-0a1b?', 'sg-0a1b23', false],
    ['a.b', 'axb', false], // regex characters are literal
    ['s3:*', 's3:Get*', true], // IAM: a wildcard in the value is covered by a broader pattern…
    ['s3:Get*', 's3:*', false], // …and never covers a broader one
    ['s3:Get?', 's3:Get*', false],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
  ])('%s ~ %s = %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text, 'case-sensitive')).toBe(expected);
  });

  it('applies the case rule it is given', () => {
    expect(globMatch('arn:aws:iam::*:role/CI-*', 'arn:aws:iam::1:role/ci-deploy', 'case-sensitive')).toBe(false);
    expect(globMatch('arn:aws:iam::*:role/CI-*', 'arn:aws:iam::1:role/ci-deploy', 'ignore-case')).toBe(true);
    expect(firstMatch(['x', 'NET-*'], 'net-acl', 'ignore-case')).toBe('NET-*');
    expect(anyGlobMatches(['sg-1*'], [undefined, 'sg-12'], 'case-sensitive')).toBe(true);
  });

  it('property: agrees with the obvious regular-expression reading on texts without wildcards', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', ':', '.', 'A');
    const text = fc.array(alphabet, { maxLength: 12 }).map((c) => c.join(''));
    const pattern = fc.array(fc.oneof(alphabet, fc.constantFrom('*', '?')), { maxLength: 8 }).map((c) => c.join(''));
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        const re = new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          's',
        );
        expect(globMatch(p, t, 'case-sensitive')).toBe(re.test(t));
        expect(globMatch(p, t, 'ignore-case')).toBe(new RegExp(re.source, 'si').test(t));
      }),
    );
  });

  it('stays fast on an adversarial pattern (an attacker-written policy value): no exponential backtracking', () => {
    const pattern = `${'*a'.repeat(40)}b`;
    const text = 'a'.repeat(20_000);
    // A backtracking regex (the old approvals glob) needs ~20000^40 steps here; this one O(40 × 20000). The test's
    // own timeout is the bound.
    expect(globMatch(pattern, text, 'case-sensitive')).toBe(false);
  });
});
