import { describe, expect, it } from 'vitest';
import { worldHits, type ReachCandidate } from '../../shared/net/world-reach.ts';

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
