import { describe, expect, it } from 'vitest';
import { publicCidrs, publicShare } from '../../shared/net/cidr.ts';
import { reachShares, worldHits, worldReason, type ReachCandidate } from '../../shared/net/world-reach.ts';

const c = (
  item: string,
  cidr: string,
  protocol: string,
  fromPort?: number,
  toPort?: number,
  scope = 'sg-1',
): ReachCandidate<string> => ({
  item,
  scope,
  cidr,
  range: { protocol, fromPort, toPort },
});

describe('worldHits', () => {
  it('reports a direct /0 and keeps the broader of overlapping hits', () => {
    const hits = worldHits([
      c('a', '0.0.0.0/0', 'all'),
      c('b', '0.0.0.0/0', 'tcp', 22, 22),
      c('v6', '::/0', 'tcp', 22, 22),
    ]);
    expect(hits.map((h) => [h.items, h.version, h.viaUnion])).toEqual([
      [['a'], 4, false],
      [['v6'], 6, false],
    ]);
  });

  it('merges two direct /0s on the same traffic into one hit with both items', () => {
    const hits = worldHits([c('a', '0.0.0.0/0', 'tcp', 22, 22), c('b', '208.236.235.254/0', 'tcp', 22, 22)]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ items: ['a', 'b'], cidrs: ['0.0.0.0/0', '208.236.235.254/0'], viaUnion: false });
  });

  it('combines CIDRs of the same scope whose ports cover the candidate', () => {
    const hits = worldHits([c('a', '0.0.0.0/1', 'all'), c('b', '128.0.0.0/1', 'tcp', 22, 22)]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ items: ['a', 'b'], viaUnion: true, range: { protocol: 'tcp', fromPort: 22 } });
  });

  it('does not combine across scopes, ports or families, and ignores bad CIDRs', () => {
    expect(worldHits([c('a', '0.0.0.0/1', 'tcp', 22, 22), c('b', '128.0.0.0/1', 'tcp', 22, 22, 'sg-2')])).toEqual([]);
    expect(worldHits([c('a', '0.0.0.0/1', 'tcp', 22, 22), c('b', '128.0.0.0/1', 'tcp', 443, 443)])).toEqual([]);
    expect(worldHits([c('a', '0.0.0.0/1', 'tcp', 22, 22), c('b', '8000::/1', 'tcp', 22, 22)])).toEqual([]);
    expect(worldHits([c('a', 'not-a-cidr', 'all')])).toEqual([]);
  });
});

describe('world-equivalent ranges (issue 12)', () => {
  it('one CIDR holding every routable IPv6 address is a direct hit, flagged publicOnly', () => {
    const [hit, ...rest] = worldHits([c('a', '2000::/3', 'tcp', 22, 22)]);
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({ items: ['a'], version: 6, viaUnion: false, publicOnly: true });
    expect(worldReason(hit!)).toMatch(/2000::\/3 holds every public IPv6 address/);
  });

  it('every public IPv4 block added together is one union hit; the split /1 halves are not publicOnly', () => {
    const blocks = publicCidrs(4);
    const hits = worldHits(blocks.map((b, i) => c(`b${i}`, b, 'all')));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ viaUnion: true, publicOnly: true, version: 4 });
    expect(hits[0]!.items).toHaveLength(blocks.length);
    expect(worldReason(hits[0]!)).toMatch(/together cover every public IPv4 address/);
    const halves = worldHits([c('a', '0.0.0.0/1', 'tcp', 22, 22), c('b', '128.0.0.0/1', 'tcp', 22, 22)]);
    expect(halves[0]).toMatchObject({ viaUnion: true, publicOnly: false });
  });

  it('reachShares: the public share each candidate is reachable from, same scope and covering range only', () => {
    const shares = reachShares([
      c('a', '0.0.0.0/1', 'tcp', 22, 22),
      c('b', '128.0.0.0/2', 'all'),
      c('other-sg', '128.0.0.0/1', 'tcp', 22, 22, 'sg-2'),
      c('bad', 'nope', 'all'),
    ]);
    expect(shares.get('a')!.share).toBe(publicShare(['0.0.0.0/1', '128.0.0.0/2']).v4); // a + b (all traffic covers tcp/22)
    expect(shares.get('a')!.share).toBeCloseTo(0.855, 3);
    expect(shares.get('a')!.items).toEqual(['a', 'b']);
    expect(shares.get('b')!.items).toEqual(['b']);
    expect(shares.has('bad')).toBe(false);
  });
});
