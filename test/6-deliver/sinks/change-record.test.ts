import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildChangeRecord, fitChangeRecord } from '../../../shared/6-deliver/sinks/format/change-record.ts';
import { CHANGE_RECORD, changeRecordJsonSchema } from '../../../shared/6-deliver/sinks/format/change-record-schema.ts';
import { APPROVED, digest, manyDeltas, notice, sshWorldFinding, widenedDelta } from '../../support/sink-fixtures.ts';
import { validate, type Schema } from '../../support/json-schema.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../../schemas/change-record.schema.json', import.meta.url), 'utf8'),
) as Schema;
const NOW = new Date('2026-11-20T09:14:09Z');

describe('change record matches schemas/change-record.schema.json', () => {
  it.each([
    ['unapproved finding', notice()],
    [
      'approved finding with known before',
      notice(sshWorldFinding({ evidence: [widenedDelta()] }), APPROVED, ['paging', 'change-log']),
    ],
    [
      'finding without actor or api (Config item)',
      notice(
        sshWorldFinding({
          actor: undefined,
          api: undefined,
          source: 'config',
          changeId: 'config:AWS::EC2::SecurityGroup/sg-1@2026-11-20T09:14:03Z',
        }),
      ),
    ],
    [
      'expired approval',
      notice(sshWorldFinding(), { ...APPROVED, state: 'expired', reason: 'CHG0031337 window ended 11:00Z' }),
    ],
    ['digest', digest(5)],
  ])('%s', (_name, n) => {
    // Act: serialize exactly as sinks do, then read back as a receiver would
    const wire = JSON.parse(JSON.stringify(buildChangeRecord(n, NOW))) as unknown;
    // Assess
    expect(validate(schema, wire)).toEqual([]);
  });

  it('a shortened record still validates and counts what it dropped', () => {
    const record = fitChangeRecord(
      buildChangeRecord(notice(sshWorldFinding({ evidence: manyDeltas(5_000) })), NOW),
      100_000,
    );
    expect(validate(schema, JSON.parse(JSON.stringify(record)))).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(100_000);
    expect((record.finding?.evidence.length ?? 0) + (record.shortened?.omitted ?? 0)).toBe(5_000);
  });

  it('the validator catches drift: unknown fields, wrong types, missing fields', () => {
    const record = JSON.parse(JSON.stringify(buildChangeRecord(notice(), NOW))) as Record<string, unknown>;
    expect(validate(schema, { ...record, extra: 1 })).toContain(': unexpected property extra');
    expect(validate(schema, { ...record, approved: 'yes' })).toContain('/approved: expected boolean, got string');
    const { finding: _dropped, ...withoutFinding } = record;
    expect(validate(schema, withoutFinding).join('\n')).toContain('oneOf');
  });

  it('approved is true only for an approved change, never for allowlisted', () => {
    expect(buildChangeRecord(notice(sshWorldFinding(), APPROVED), NOW).approved).toBe(true);
    expect(
      buildChangeRecord(
        notice(sshWorldFinding(), {
          state: 'allowlisted',
          allowlist: 'ci-deployer',
          reason: 'actor on allowlist ci-deployer',
        }),
        NOW,
      ),
    ).toMatchObject({ approved: false, approval: { state: 'allowlisted', allowlist: 'ci-deployer', ticket: null } });
  });
});

describe('schemas/change-record.schema.json is generated from the zod schema (z.toJSONSchema)', () => {
  it('is what `npm run generate:docs` writes', () => {
    expect(readFileSync(new URL('../../../schemas/change-record.schema.json', import.meta.url), 'utf8')).toBe(
      changeRecordJsonSchema(),
    );
  });

  it.each([
    ['finding', notice()],
    ['approved finding', notice(sshWorldFinding({ evidence: [widenedDelta()] }), APPROVED, ['paging'])],
    ['digest', digest(5)],
  ])('the zod schema accepts real records (%s) and refuses drift', (_name, n) => {
    const wire = JSON.parse(JSON.stringify(buildChangeRecord(n, NOW))) as Record<string, unknown>;
    expect(CHANGE_RECORD.safeParse(wire).error?.issues).toBeUndefined();
    expect(CHANGE_RECORD.safeParse({ ...wire, extra: 1 }).success).toBe(false);
    const { kind } = wire as { kind: string };
    const { [kind === 'digest' ? 'digest' : 'finding']: _dropped, ...without } = wire;
    expect(CHANGE_RECORD.safeParse(without).error?.issues.map((i) => i.message)).toEqual([
      `kind ${kind} needs ${kind === 'digest' ? 'digest' : 'finding'}`,
    ]);
  });
});
