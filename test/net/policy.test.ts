import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyState } from '../../shared/model/change.ts';
import {
  assessPolicy,
  comparePolicies,
  isRestrictiveCondition,
  patternCovers,
  principalCovers,
} from '../../shared/net/policy.ts';
import { parsePolicyDocument } from '../../shared/net/policy-document.ts';

const BUCKET = 'arn:aws:s3:::acme-prod-artifacts';
const doc = (...Statement: unknown[]): PolicyState => parsePolicyDocument({ Version: '2012-10-17', Statement });
const allow = (extra: Record<string, unknown>): Record<string, unknown> => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `${BUCKET}/*`,
  ...extra,
});
const ORG = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };

describe('patternCovers', () => {
  it.each([
    ['*', 's3:GetObject', true],
    ['s3:*', 's3:GetObject', true],
    ['s3:*', 's3:Get*', true],
    ['s3:Get*', 's3:*', false],
    ['s3:Get*', 's3:GetObjectAcl', true],
    ['s3:GetObject', 's3:getobject', true],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get?bject', 's3:Get*bject', false],
    ['ec2:*', 's3:GetObject', false],
  ])('%s covers %s: %s', (p, v, expected) => {
    expect(patternCovers(p, v, true)).toBe(expected);
  });

  it('is case-sensitive for resources by default', () => {
    expect(patternCovers(`${BUCKET}/*`, `${BUCKET}/Reports/a.csv`)).toBe(true);
    expect(patternCovers('arn:aws:s3:::ACME/*', 'arn:aws:s3:::acme/x')).toBe(false);
  });

  it('property: a pattern covers itself and "*" covers everything', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        expect(patternCovers(s, s)).toBe(true);
        expect(patternCovers('*', s)).toBe(true);
      }),
    );
  });
});

describe('principalCovers / isRestrictiveCondition', () => {
  it('treats an account as every identity in it', () => {
    expect(principalCovers('111122223333', 'arn:aws:iam::111122223333:role/etl')).toBe(true);
    expect(principalCovers('arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:role/etl')).toBe(true);
    expect(principalCovers('arn:aws:iam::111122223333:role/etl', 'arn:aws:iam::111122223333:role/other')).toBe(false);
    expect(principalCovers('111122223333', 'arn:aws:iam::444455556666:role/etl')).toBe(false);
  });

  it('counts only positive, non-IfExists trust-boundary conditions', () => {
    expect(isRestrictiveCondition({ operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-1'] })).toBe(true);
    expect(isRestrictiveCondition({ operator: 'StringEquals', key: 'aws:sourcevpce', values: ['vpce-1'] })).toBe(true);
    expect(
      isRestrictiveCondition({ operator: 'StringEqualsIfExists', key: 'aws:SourceVpce', values: ['vpce-1'] }),
    ).toBe(false);
    expect(isRestrictiveCondition({ operator: 'StringNotEquals', key: 'aws:PrincipalOrgID', values: ['o-1'] })).toBe(
      false,
    );
    expect(isRestrictiveCondition({ operator: 'Bool', key: 'aws:SecureTransport', values: ['true'] })).toBe(false);
  });
});

describe('comparePolicies', () => {
  it('sees a new Allow statement', () => {
    const r = comparePolicies(
      doc(allow({ Sid: 'Read' })),
      doc(
        allow({ Sid: 'Read' }),
        allow({ Sid: 'Write', Action: 's3:PutObject', Resource: 'arn:aws:s3:::other-bucket/*' }),
      ),
    );
    expect(r.loosenings).toHaveLength(1);
    expect(r.loosenings[0]).toMatch(/new Allow statement "Write".*s3:PutObject/);
    expect(r.tightenings).toEqual([]);
  });

  it('sees principal, action and resource widening, with old -> new', () => {
    const before = doc(allow({ Sid: 'S', Principal: { AWS: 'arn:aws:iam::111122223333:role/etl' } }));
    expect(comparePolicies(before, doc(allow({ Sid: 'S' }))).loosenings).toEqual([
      'Allow statement "S" widened: principal arn:aws:iam::111122223333:role/etl -> *',
    ]);
    const actionWide = comparePolicies(doc(allow({ Sid: 'S' })), doc(allow({ Sid: 'S', Action: 's3:*' })));
    expect(actionWide.loosenings).toEqual(['Allow statement "S" widened: action s3:GetObject -> s3:*']);
    expect(
      comparePolicies(doc(allow({ Sid: 'S', Action: 's3:*' })), doc(allow({ Sid: 'S', Action: '*' }))).loosenings[0],
    ).toMatch(/action s3:\* -> \*/);
    expect(comparePolicies(doc(allow({ Sid: 'S' })), doc(allow({ Sid: 'S', Resource: '*' }))).loosenings[0]).toMatch(
      /resource .* -> \*/,
    );
  });

  it('sees a restrictive condition removed or relaxed', () => {
    const before = doc(allow({ Sid: 'S', Condition: ORG }));
    expect(comparePolicies(before, doc(allow({ Sid: 'S' }))).loosenings[0]).toMatch(
      /condition StringEquals aws:PrincipalOrgID = o-a1b2c3d4e5 removed/,
    );
    const relaxed = comparePolicies(
      before,
      doc(allow({ Sid: 'S', Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5', 'o-zzzzzzzzzz'] } } })),
    );
    expect(relaxed.loosenings[0]).toMatch(/relaxed/);
    // Adding the condition back is a tightening, never a loosening.
    const back = comparePolicies(doc(allow({ Sid: 'S' })), before);
    expect(back.loosenings).toEqual([]);
    expect(back.tightenings[0]).toMatch(/condition StringEquals aws:PrincipalOrgID .* added/);
  });

  it('sees a Deny removed or narrowed, and a Deny added as a tightening', () => {
    const deny = { Sid: 'NoDelete', Effect: 'Deny', Principal: '*', Action: 's3:Delete*', Resource: '*' };
    const base = doc(allow({ Sid: 'S' }), deny);
    const removed = comparePolicies(base, doc(allow({ Sid: 'S' })));
    expect(removed.loosenings).toEqual([expect.stringMatching(/^Deny statement "NoDelete" removed/)]);
    expect(removed.tightenings).toEqual([]);
    const narrowed = comparePolicies(base, doc(allow({ Sid: 'S' }), { ...deny, Action: 's3:DeleteBucket' }));
    expect(narrowed.loosenings[0]).toMatch(
      /^Deny statement "NoDelete" narrowed: was .*s3:Delete\*.*now .*s3:DeleteBucket/,
    );
    const added = comparePolicies(doc(allow({ Sid: 'S' })), base);
    expect(added.loosenings).toEqual([]);
    expect(added.tightenings[0]).toMatch(/^Deny statement "NoDelete" added/);
  });

  it('full access after a document is a loosening; the reverse a tightening; same -> nothing', () => {
    const scoped = doc(allow({ Condition: ORG }));
    expect(comparePolicies(scoped, { kind: 'full-access' }).loosenings[0]).toMatch(/reset to full access/);
    expect(comparePolicies({ kind: 'full-access' }, scoped)).toMatchObject({
      loosenings: [],
      tightenings: [expect.stringMatching(/full-access/)],
    });
    expect(comparePolicies(scoped, scoped)).toEqual({ loosenings: [], tightenings: [], widenedAllows: [] });
    const explicitFull = doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
    expect(comparePolicies(explicitFull, { kind: 'full-access' }).loosenings).toEqual([]);
  });

  it('narrowing is recognisably tightening', () => {
    const r = comparePolicies(doc(allow({ Sid: 'S', Action: 's3:*', Resource: '*' })), doc(allow({ Sid: 'S' })));
    expect(r.loosenings).toEqual([]);
    expect(r.tightenings[0]).toMatch(/^Allow statement "S" narrowed: action s3:\* -> s3:GetObject; resource \* -> /);
  });

  it('property: a policy compared with itself has no loosening; adding a statement never tightens', () => {
    const actions = fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:*', '*', 'dynamodb:Query', 's3:Get*');
    const principals = fc.constantFrom('*', 'arn:aws:iam::111122223333:role/etl', '111122223333');
    const resources = fc.constantFrom('*', `${BUCKET}/*`, `${BUCKET}/logs/*`);
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Principal: principals,
      Action: fc.array(actions, { minLength: 1, maxLength: 3 }),
      Resource: resources,
      Condition: fc.option(fc.constant(ORG), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), statement, (stmts, extra) => {
        const p = doc(...stmts);
        expect(comparePolicies(p, p).loosenings).toEqual([]);
        if (extra.Effect === 'Allow') expect(comparePolicies(p, doc(...stmts, extra)).tightenings).toEqual([]);
        else expect(comparePolicies(p, doc(...stmts, extra)).loosenings).toEqual([]);
      }),
    );
  });
});

describe('assessPolicy (before unknown)', () => {
  it('flags everyone + everything without a boundary condition', () => {
    expect(assessPolicy({ kind: 'full-access' }).grantsEveryoneFullAccess).toBe(true);
    const open = assessPolicy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }));
    expect(open.grantsEveryoneFullAccess).toBe(true);
    expect(open.broad[0]).toMatch(/grants everyone full access/);
  });

  it('flags a whole-service grant to everyone as broad, not full', () => {
    const r = assessPolicy(doc({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }));
    expect(r).toMatchObject({
      grantsEveryoneFullAccess: false,
      broad: [expect.stringMatching(/grants everyone s3:\*/)],
    });
  });

  it('does not flag scoped or fenced policies', () => {
    expect(assessPolicy(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: ORG }))).toEqual({
      grantsEveryoneFullAccess: false,
      broad: [],
    });
    expect(assessPolicy(doc(allow({})))).toEqual({ grantsEveryoneFullAccess: false, broad: [] });
    const fenced = assessPolicy(
      doc(
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ),
    );
    expect(fenced.grantsEveryoneFullAccess).toBe(false);
    expect(fenced.broad[0]).toMatch(/fenced/);
  });
});

describe('boundaries an attacker can write (every value in a policy is chosen by whoever calls ModifyVpcEndpoint)', () => {
  const cond = (operator: string, key: string, ...values: string[]) => ({ operator, key, values });

  it.each([
    // [operator, key, values, restrictive]
    ['StringEquals', 'aws:PrincipalOrgID', ['o-a1b2c3d4e5'], true],
    ['StringLike', 'aws:PrincipalOrgID', ['*'], false],
    ['StringLike', 'aws:PrincipalOrgID', ['o-*'], false],
    ['StringEquals', 'aws:PrincipalOrgID', ['*'], true], // StringEquals reads * literally: it matches no organisation
    ['StringLike', 'aws:PrincipalAccount', ['1111222233*'], false],
    ['StringEquals', 'aws:PrincipalAccount', ['111122223333'], true],
    ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/etl'], false],
    ['ArnEquals', 'aws:PrincipalArn', ['arn:aws:iam::*:role/etl'], false], // ArnEquals matches wildcards too
    ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:role/*'], true],
    ['ArnLike', 'aws:SourceArn', ['arn:aws:s3:::acme-prod-artifacts'], true],
    ['ArnLike', 'aws:SourceArn', ['arn:aws:s3:::*'], false],
    ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], true],
    ['IpAddress', 'aws:SourceIp', ['0.0.0.0/0'], false],
    ['IpAddress', 'aws:SourceIp', ['0.0.0.0/1', '128.0.0.0/1'], false],
    ['IpAddress', 'aws:SourceIp', ['::/0'], false],
    ['StringEquals', 'aws:SourceVpce', ['vpce-0a1b2c3d4e5f60718', '*'], true],
    ['StringLike', 'aws:SourceVpce', ['vpce-0a1b2c3d4e5f60718', '*'], false], // one wide alternative opens it
    ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', ['o-a1b2c3d4e5/r-ab12/*'], true],
    ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', ['o-*/r-ab12/*'], false],
  ] as const)('%s %s %j → restrictive: %s', (operator, key, values, restrictive) => {
    expect(isRestrictiveCondition(cond(operator, key, ...values))).toBe(restrictive);
  });

  it('a wide condition does not hide a grant to everyone', () => {
    // Prepare: full access "for any organisation" — any account can create one.
    const policy = doc({
      Effect: 'Allow',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalOrgID': '*' } },
    });
    // Act / Assess
    expect(assessPolicy(policy).grantsEveryoneFullAccess).toBe(true);
  });

  it.each([
    [
      'a Deny of one action',
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteBucket',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    ],
    [
      'a Deny of one principal',
      {
        Effect: 'Deny',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/x' },
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    ],
    [
      'a Deny under a positive operator',
      {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/nobody' } },
      },
    ],
    [
      'a Deny outside "any organisation"',
      {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringNotLike: { 'aws:PrincipalOrgID': '*' } },
      },
    ],
  ])('%s beside Allow */*/* to everyone fences nothing', (_name, deny) => {
    // Prepare: the world-open Allow, and a Deny that looks like a boundary but denies (almost) nobody.
    const policy = doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }, deny);
    // Act
    const breadth = assessPolicy(policy);
    // Assess
    expect(breadth.grantsEveryoneFullAccess).toBe(true);
    expect(breadth.broad[0]).not.toMatch(/fenced/);
  });

  it('a real boundary Deny (everyone, every action, unless in our organisation) still fences', () => {
    const policy = doc(
      { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    );
    expect(assessPolicy(policy).grantsEveryoneFullAccess).toBe(false);
  });
});
