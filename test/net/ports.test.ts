import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exposureOf,
  isAllTraffic,
  portLabel,
  rangeCovers,
  rangeWidened,
  touchedPorts,
  ADMIN_PORTS,
} from '../../shared/net/ports.ts';

describe('exposureOf', () => {
  it.each([
    ['all', undefined, undefined, 'all-traffic', 'all traffic'],
    ['tcp', undefined, undefined, 'all-traffic', 'tcp (all ports)'],
    ['tcp', 0, 65535, 'all-traffic', 'tcp/0-65535'],
    ['udp', 1, 65535, 'all-traffic', 'udp/1-65535'],
    ['tcp', 22, 22, 'admin', 'tcp/22'],
    ['tcp', 3389, 3389, 'admin', 'tcp/3389'],
    ['tcp', 0, 1024, 'admin', 'tcp/0-1024'],
    ['tcp', 5985, 5986, 'admin', 'tcp/5985-5986'],
    ['tcp', 5432, 5432, 'data-store', 'tcp/5432'],
    ['tcp', 27017, 27017, 'data-store', 'tcp/27017'],
    ['udp', 11211, 11211, 'data-store', 'udp/11211'],
    ['tcp', 80, 80, 'web', 'tcp/80'],
    ['tcp', 443, 443, 'web', 'tcp/443'],
    ['tcp', 8000, 8100, 'data-store', 'tcp/8000-8100'],
    ['tcp', 4444, 4444, 'other', 'tcp/4444'],
    ['udp', 22, 22, 'other', 'udp/22'],
    ['icmp', 8, -1, 'icmp', 'icmp type 8'],
    ['icmpv6', undefined, undefined, 'icmp', 'icmpv6 (all types)'],
    ['50', undefined, undefined, 'other', 'protocol 50'],
  ] as const)('%s %s-%s -> %s', (protocol, from, to, cls, label) => {
    const e = exposureOf(protocol, from, to);
    expect(e.class).toBe(cls);
    expect(e.label).toBe(label);
  });

  it('names the ports a range touches', () => {
    expect(exposureOf('tcp', 20, 25).ports.map((p) => p.name)).toEqual(['ftp', 'ssh', 'telnet']);
    expect(touchedPorts({ protocol: 'udp', fromPort: 0, toPort: 1000 }, ADMIN_PORTS).map((p) => p.name)).toEqual([
      'netbios',
      'snmp',
      'ipmi',
    ]);
  });

  it('property: any tcp range covering 22 is admin (or all-traffic)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 22, max: 65535 }), (from, to) => {
        expect(['admin', 'all-traffic']).toContain(exposureOf('tcp', from, to).class);
      }),
    );
  });
});

describe('range comparison', () => {
  it('covers and widens', () => {
    expect(rangeCovers({ protocol: 'all' }, { protocol: 'tcp', fromPort: 22, toPort: 22 })).toBe(true);
    expect(
      rangeCovers({ protocol: 'tcp', fromPort: 0, toPort: 1024 }, { protocol: 'tcp', fromPort: 22, toPort: 22 }),
    ).toBe(true);
    expect(
      rangeCovers({ protocol: 'udp', fromPort: 0, toPort: 1024 }, { protocol: 'tcp', fromPort: 22, toPort: 22 }),
    ).toBe(false);
    expect(
      rangeCovers({ protocol: 'icmp', fromPort: -1, toPort: -1 }, { protocol: 'icmp', fromPort: 8, toPort: 0 }),
    ).toBe(true);
    expect(
      rangeWidened({ protocol: 'tcp', fromPort: 443, toPort: 443 }, { protocol: 'tcp', fromPort: 0, toPort: 1024 }),
    ).toBe(true);
    expect(
      rangeWidened({ protocol: 'tcp', fromPort: 443, toPort: 443 }, { protocol: 'tcp', fromPort: 443, toPort: 443 }),
    ).toBe(false);
    expect(rangeWidened({ protocol: 'tcp', fromPort: 443, toPort: 443 }, { protocol: 'all' })).toBe(true);
    expect(isAllTraffic({ protocol: 'tcp', fromPort: -1, toPort: -1 })).toBe(true);
    expect(portLabel({ protocol: 'icmp', fromPort: 3, toPort: 4 })).toBe('icmp type 3 code 4');
  });

  it('property: covering is reflexive and agrees with interval containment', () => {
    const r = fc
      .tuple(fc.constantFrom('tcp', 'udp'), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
      .map(([protocol, a, b]) => ({ protocol, fromPort: Math.min(a, b), toPort: Math.max(a, b) }));
    fc.assert(
      fc.property(r, r, (a, b) => {
        expect(rangeCovers(a, a)).toBe(true);
        expect(rangeCovers(a, b)).toBe(a.protocol === b.protocol && a.fromPort <= b.fromPort && b.toPort <= a.toPort);
      }),
    );
  });
});
