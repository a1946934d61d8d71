import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { isKnownProtocol, normalizeProtocol } from '../../shared/net/protocol.ts';
import { sshWorldRecord } from '../support/records.ts';

/**
 * Issue 12, "Protocol spellings": EC2 parses the protocol as a number, so `006`, `6.0`, `+6` are TCP and `-01` is all.
 * Before the fix they stayed "protocol 006" and graded as an obscure protocol (medium) instead of TCP/22 (high).
 */
describe('normalizeProtocol', () => {
  it.each([
    ['tcp', 'tcp'],
    ['TCP', 'tcp'],
    [' udp ', 'udp'],
    ['6', 'tcp'],
    [6, 'tcp'],
    ['006', 'tcp'],
    ['6.0', 'tcp'],
    ['6.', 'tcp'],
    ['+6', 'tcp'],
    ['+006.00', 'tcp'],
    ['17', 'udp'],
    ['0017', 'udp'],
    ['1', 'icmp'],
    ['58', 'icmpv6'],
    ['-1', 'all'],
    ['-01', 'all'],
    [-1, 'all'],
    ['-1.0', 'all'],
    ['all', 'all'],
    ['050', '50'],
    ['0', '0'],
    [undefined, 'all'],
    ['', 'all'],
  ])('%j -> %s', (value, expected) => {
    expect(normalizeProtocol(value)).toBe(expected);
    expect(isKnownProtocol(value)).toBe(true);
  });

  it.each([['tcp6'], ['0x6'], ['6e0'], ['6.5'], ['256'], ['-2'], ['-6'], ['six'], [Number.NaN], [{}]])(
    '%j cannot be normalized: graded as the worst case (all traffic), never the mildest',
    (value) => {
      expect(normalizeProtocol(value)).toBe('all');
      expect(isKnownProtocol(value)).toBe(false);
    },
  );

  it('property: any decimal spelling of n in 0..255 normalizes like n itself', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('', '+'),
        fc.constantFrom('', '.', '.0', '.000'),
        (n, zeros, sign, fraction) => {
          const spelled = `${sign}${'0'.repeat(zeros)}${n}${fraction}`;
          expect(normalizeProtocol(spelled)).toBe(normalizeProtocol(String(n)));
        },
      ),
    );
  });

  it('property: the result is always a name or a number 0-255 (never the raw spelling)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (value) => {
        expect(normalizeProtocol(value)).toMatch(/^(all|tcp|udp|icmp|icmpv6|\d{1,3})$/);
        const n = Number(normalizeProtocol(value));
        if (Number.isInteger(n)) expect(n >= 0 && n <= 255).toBe(true);
      }),
    );
  });
});

describe('protocol spellings through the pipeline', () => {
  const withProtocol = (ipProtocol: string): unknown => {
    const record = sshWorldRecord();
    const params = record['requestParameters'] as { ipPermissions: { items: Array<Record<string, unknown>> } };
    params.ipPermissions.items[0]!['ipProtocol'] = ipProtocol;
    delete record['responseElements'];
    return record;
  };

  it.each([['006'], ['6.0'], ['+6']])('ssh from the world spelled with protocol %s is tcp/22, high', (spelling) => {
    const [finding, ...rest] = classifyValue(
      withProtocol(spelling),
      { file: 't' },
      { rules: RULES, context: EMPTY_CONTEXT },
    ).findings;
    expect(rest).toEqual([]);
    expect([finding?.ruleId, finding?.severity]).toEqual(['sg-open-world', 'high']);
    expect(finding?.summary).toMatch(/^tcp\/22 open to 0\.0\.0\.0\/0/);
  });

  it.each([['-01'], ['tcp6']])('protocol %s is all traffic from the world: critical', (spelling) => {
    const findings = classifyValue(
      withProtocol(spelling),
      { file: 't' },
      { rules: RULES, context: EMPTY_CONTEXT },
    ).findings;
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['sg-open-world', 'critical']]);
  });
});
