import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressCount,
  contains,
  coverUnion,
  coversWholeSpace,
  isPublic,
  isSingleHost,
  isWholeSpace,
  isWorldEquivalent,
  NON_PUBLIC_RANGES,
  parseCidr,
  publicCidrs,
  publicShare,
  prefixLength,
  tryParseCidr,
  widerThan,
} from '../../shared/net/cidr.ts';
import { IPV4_NON_PUBLIC, IPV6_NON_PUBLIC } from '../../shared/net/special-purpose.ts';

const v4 = fc
  .tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
  )
  .map((p) => p.join('.'));
const v6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const cidr4 = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
const cidr6 = fc.tuple(v6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);

describe('parseCidr', () => {
  it('masks host bits: ranges come from the network, not the text', () => {
    const c = parseCidr('10.1.2.3/8');
    expect(c).toMatchObject({ version: 4, prefix: 8, first: 0x0a000000n, last: 0x0affffffn, text: '10.1.2.3/8' });
  });

  it('parses IPv6 forms: ::, compressed, embedded IPv4, upper case', () => {
    expect(parseCidr('::/0')).toMatchObject({ version: 6, prefix: 0, first: 0n });
    expect(parseCidr('2001:DB8::/32').first).toBe(0x20010db8n << 96n);
    expect(parseCidr('::ffff:1.2.3.4/128').first).toBe((0xffffn << 32n) | 0x01020304n);
    expect(parseCidr('fe80::1').prefix).toBe(128);
    expect(parseCidr('1:2:3:4:5:6:7:8/64').first).toBe(0x0001000200030004n << 64n);
  });

  it('rejects what is not a prefix', () => {
    for (const bad of [
      '',
      '10.0.0/8',
      '256.0.0.0/8',
      '10.0.0.0/33',
      '::/129',
      '1::2::3/64',
      'g::/16',
      '10.0.0.0/-1',
      '1:2:3:4:5:6:7:8:9/64',
      'pl-12345',
    ]) {
      expect(tryParseCidr(bad), bad).toBeUndefined();
      expect(() => parseCidr(bad)).toThrow();
    }
  });

  it('round-trips the masked network for any v4/v6 input', () => {
    fc.assert(
      fc.property(fc.oneof(cidr4, cidr6), (text) => {
        const c = parseCidr(text);
        expect(addressCount(c)).toBe(1n << BigInt((c.version === 4 ? 32 : 128) - c.prefix));
        expect(c.first % addressCount(c)).toBe(0n);
      }),
    );
  });
});

describe('isWholeSpace (AWS keeps host bits; any /0 is everything)', () => {
  it.each(['0.0.0.0/0', '208.236.235.254/0', '::/0', '::5/0', 'ffff::/0'])('%s is the whole space', (c) => {
    expect(isWholeSpace(c)).toBe(true);
  });

  it.each(['0.0.0.0/16', '0.0.0.0/32', '0.0.0.0/1', '::/1', '10.0.0.0/8'])('%s is not', (c) => {
    expect(isWholeSpace(c)).toBe(false);
  });

  it('holds for any address with prefix 0', () => {
    fc.assert(fc.property(fc.oneof(v4, v6), (a) => isWholeSpace(`${a}/0`)));
  });
});

describe('coverUnion', () => {
  it('sees the split halves trick, per family', () => {
    expect(coverUnion(['0.0.0.0/1', '128.0.0.0/1'])).toEqual({ v4: true, v6: false });
    expect(coverUnion(['::/1', '8000::/1'])).toEqual({ v4: false, v6: true });
    expect(coverUnion(['0.0.0.0/1', '128.0.0.0/2'])).toEqual({ v4: false, v6: false });
    expect(coverUnion(['0.0.0.0/1', '::/1', '8000::/1', '128.0.0.0/1'])).toEqual({ v4: true, v6: true });
    expect(coversWholeSpace([])).toBe(false);
    expect(coversWholeSpace(['garbage', '0.0.0.0/0'])).toBe(true);
  });

  it('covers with the 256 /8s, and not with one missing', () => {
    const all = Array.from({ length: 256 }, (_, i) => `${i}.7.7.7/8`);
    expect(coverUnion(all).v4).toBe(true);
    expect(coverUnion(all.filter((_, i) => i !== 77)).v4).toBe(false);
  });

  it('property: a random /0 split into its two halves at any depth always covers', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 31 }), fc.boolean(), (path, dropOne) => {
        // Walk down a path of halves, collecting the sibling of each step: siblings + last node tile the space.
        const pieces: string[] = [];
        let network = 0n;
        for (let depth = 1; depth <= path.length; depth++) {
          const bit = 1n << BigInt(32 - depth);
          const chosen = path[depth - 1] ? network | bit : network;
          const sibling = path[depth - 1] ? network : network | bit;
          pieces.push(`${toV4(sibling)}/${depth}`);
          network = chosen;
        }
        pieces.push(`${toV4(network)}/${path.length}`);
        if (dropOne) pieces.splice(0, 1);
        expect(coverUnion(pieces).v4).toBe(!dropOne);
      }),
    );
  });

  it('property: the union covers exactly when counted disjoint addresses fill the public space', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), (octants) => {
        const set = new Set(octants);
        const cidrs = [...set].map((o) => `${o * 32}.0.0.0/3`);
        // 224.0.0.0/3 is multicast + reserved (no public address): the other seven octants are the internet.
        expect(coverUnion(cidrs).v4).toBe([0, 1, 2, 3, 4, 5, 6].every((o) => set.has(o)));
      }),
    );
  });
});

function toV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

describe('contains / widerThan / prefixLength / addressCount', () => {
  it('compares ranges exactly, never across families', () => {
    expect(contains('10.0.0.0/8', '10.200.3.4/32')).toBe(true);
    expect(contains('10.0.0.0/8', '11.0.0.0/32')).toBe(false);
    expect(contains('0.0.0.0/0', '::/128')).toBe(false);
    expect(contains('::/0', '2001:db8::1/128')).toBe(true);
    expect(widerThan('81.2.0.0/16', '81.2.69.160/32')).toBe(true);
    expect(widerThan('81.2.69.160/32', '81.2.0.0/16')).toBe(false);
    expect(widerThan('81.2.0.0/16', '81.2.0.0/16')).toBe(false);
    expect(prefixLength('208.236.235.254/0')).toBe(0);
    expect(addressCount('10.0.0.0/24')).toBe(256n);
    expect(addressCount('::/64')).toBe(1n << 64n);
    expect(isSingleHost('81.2.69.160/32')).toBe(true);
    expect(isSingleHost('2001:db8::1/128')).toBe(true);
    expect(isSingleHost('81.2.69.0/24')).toBe(false);
  });

  it('property: containment is reflexive, transitive along prefixes, and matches the masked bounds', () => {
    fc.assert(
      fc.property(fc.oneof(cidr4, cidr6), fc.integer({ min: 0, max: 128 }), (text, shorten) => {
        const c = parseCidr(text);
        expect(contains(c, c)).toBe(true);
        const outerPrefix = Math.max(0, c.prefix - (shorten % (c.prefix + 1)));
        const address = text.split('/')[0]!;
        const outer = parseCidr(`${address}/${outerPrefix}`);
        expect(contains(outer, c)).toBe(true);
        expect(widerThan(outer, c)).toBe(outerPrefix < c.prefix);
        expect(addressCount(outer) >= addressCount(c)).toBe(true);
      }),
    );
  });
});

describe('isPublic', () => {
  it.each([
    ['0.0.0.0/0', true],
    ['0.0.0.0/1', true],
    ['81.2.69.160/32', true],
    ['52.0.0.0/8', true],
    ['2600:1f18::/32', true],
    ['::/0', true],
    ['10.0.0.0/8', false],
    ['10.1.2.0/24', false],
    ['172.16.0.0/12', false],
    ['172.31.255.255/32', false],
    ['192.168.1.0/24', false],
    ['100.64.0.0/10', false],
    ['127.0.0.1/32', false],
    ['169.254.169.254/32', false],
    ['0.0.0.0/16', false],
    ['0.0.0.0/32', false],
    ['203.0.113.0/24', false],
    ['198.51.100.7/32', false],
    ['fd00::/8', false],
    ['fe80::/64', false],
    ['::1/128', false],
    ['2001:db8::/48', false],
  ])('%s -> %s', (c, expected) => {
    expect(isPublic(c)).toBe(expected);
  });

  it('property: anything inside 10/8 is private; any /0 is public', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 8, max: 32 }), (low, prefix) => {
        expect(isPublic(`10.${(low >> 16) & 255}.${(low >> 8) & 255}.${low & 255}/${prefix}`)).toBe(false);
      }),
    );
    fc.assert(fc.property(fc.oneof(v4, v6), (a) => isPublic(`${a}/0`)));
  });
});

describe('the public internet (IANA special-purpose registries, shared/net/special-purpose.ts)', () => {
  it('sees every public IPv4 block, private and reserved ranges skipped, as the whole internet', () => {
    // Prepare: what an attacker lists to open "everything but private" (116 blocks around RFC 1918, 100.64/10 …).
    const blocks = publicCidrs(4);
    // Act + Assess: before issue 12 this was { v4: false } (the union misses 10/8, 127/8 …) and graded sg-widened.
    expect(coverUnion(blocks)).toEqual({ v4: true, v6: false });
    expect(publicShare(blocks).v4).toBe(1);
    expect(blocks).toContain('11.0.0.0/8');
    expect(blocks.some((b) => contains('10.0.0.0/8', b) || contains(b, '10.0.0.0/32'))).toBe(false);
  });

  it('property: leaving out any one public block is no longer the internet, and says how much is reached', () => {
    const blocks = publicCidrs(4);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: blocks.length - 1 }), (i) => {
        const rest = blocks.filter((_, j) => j !== i);
        expect(coverUnion(rest).v4).toBe(false);
        const share = publicShare(rest).v4;
        expect(share).toBeLessThan(1);
        const missing = Number(addressCount(blocks[i]!)) / Number(sumOf(blocks));
        expect(share).toBeCloseTo(1 - missing, 12);
      }),
    );
  });

  it.each([
    ['2000::/3', true],
    ['::/1', true],
    ['::/2', true],
    ['1fff::/2', true],
    ['::/0', true],
    ['208.236.235.254/0', true],
    ['2000::/4', false],
    ['8000::/1', false],
    ['0.0.0.0/1', false],
  ])('one CIDR holding every routable address: %s -> %s', (c, expected) => {
    expect(isWorldEquivalent(c)).toBe(expected);
    expect(coverUnion([c])[c.includes(':') ? 'v6' : 'v4']).toBe(expected);
  });

  it('grades partial coverage by the share of public space (figures)', () => {
    const low = publicShare(['0.0.0.0/1']).v4;
    const high = publicShare(['128.0.0.0/1']).v4;
    expect(low).toBeCloseTo(0.5653, 4);
    expect(high).toBeCloseTo(0.4347, 4);
    expect(low + high).toBeCloseTo(1, 12);
    expect(publicShare(['10.0.0.0/8', 'fd00::/8'])).toEqual({ v4: 0, v6: 0 });
    expect(publicShare(['2600::/12']).v6).toBeCloseTo(1 / 512, 6); // a /12 of the public 2000::/3 (≈ 1/512)
    expect(publicShare(['0.0.0.0/1', '0.0.0.0/2'])).toEqual(publicShare(['0.0.0.0/1'])); // addresses count once
  });

  it('property: the share is a measure — monotone, bounded, and 1 exactly when coverUnion says covered', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(cidr4, cidr6), { maxLength: 6 }), fc.oneof(cidr4, cidr6), (set, extra) => {
        const before = publicShare(set);
        const after = publicShare([...set, extra]);
        const cover = coverUnion(set);
        for (const v of ['v4', 'v6'] as const) {
          expect(before[v]).toBeGreaterThanOrEqual(0);
          expect(before[v]).toBeLessThanOrEqual(1);
          expect(after[v]).toBeGreaterThanOrEqual(before[v]);
          expect(cover[v]).toBe(before[v] === 1);
        }
      }),
    );
  });

  it('every registry block is non-public and every public block is public; IPv6 public space is 2000::/3 only', () => {
    for (const block of [...IPV4_NON_PUBLIC, ...IPV6_NON_PUBLIC]) expect(isPublic(block.cidr)).toBe(false);
    expect(NON_PUBLIC_RANGES).toContain('192.88.99.0/24');
    for (const block of [...publicCidrs(4), ...publicCidrs(6)]) expect(isPublic(block)).toBe(true);
    expect(isPublic('4000::/2')).toBe(false); // reserved by IETF, not allocated: not the internet
    expect(isPublic('64:ff9b::/96')).toBe(false);
    expect(publicCidrs(6)[0]).toBe('2000::/16');
  });
});

function sumOf(cidrs: readonly string[]): bigint {
  return cidrs.reduce((n, c) => n + addressCount(c), 0n);
}
