/**
 * "The public internet", defined once, from IANA's registries. Everything in Netwatch that asks "is this the
 * internet?" — `isPublic`, `coverUnion`, `publicShare` (shared/net/cidr.ts) and `worldHits` (shared/net/world-reach.ts)
 * — reads these two tables and nothing else.
 *
 * - IPv4: the whole space, minus every special-purpose block that is not globally reachable, minus multicast
 *   (224.0.0.0/4, from the IPv4 address space registry; 240.0.0.0/4 is in the special-purpose registry already).
 * - IPv6: the Global Unicast block 2000::/3 — the only block IANA allocates to the RIRs; everything else is "Reserved by
 *   IETF", unique local, link local or multicast — minus the special-purpose blocks inside it that are not globally
 *   reachable.
 *
 * We take the *smallest* reasonable public set, because the question it answers is "does this rule / route reach all of
 * the internet": an attacker who lists "every public block" skipping private, reserved and special ranges must still be
 * seen as opening the internet. So a block counts as non-public when the registry says "Globally Reachable: False" *or*
 * "N/A" (6to4 2002::/16, Teredo 2001::/32, the deprecated 6to4 relay anycast 192.88.99.0/24), and the few globally
 * reachable service carve-outs inside a non-reachable block (PCP and TURN anycast 192.0.0.9/32 and 192.0.0.10/32,
 * 2001:1::1/128 …, AMT 2001:3::/32, AS112 2001:4:112::/48, ORCHIDv2 2001:20::/28, Drone Remote ID 2001:30::/28) stay
 * non-public with their enclosing block: they are anycast service addresses, not hosts that open connections. Globally
 * reachable blocks outside those (AS112-v4 192.31.196.0/24, AMT 192.52.193.0/24, 192.175.48.0/24, 2620:4f:8000::/48)
 * are public. Documentation ranges are non-public: never routed, so a rule naming one is a placeholder (the corpus
 * labels TEST-NET-3 benign).
 *
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/ (IANA IPv4 Special-Purpose Address Registry, RFC 6890)
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/ (IANA IPv6 Special-Purpose Address Registry, RFC 6890)
 * @see https://www.iana.org/assignments/ipv4-address-space/ (224.0.0.0/4 multicast, 240.0.0.0/4 future use)
 * @see https://www.iana.org/assignments/ipv6-address-space/ (2000::/3 Global Unicast; the rest reserved or special)
 */

/** One registry entry we subtract from the public space, with where it comes from. */
export interface SpecialPurposeBlock {
  cidr: string;
  name: string;
  /** The registry's "Globally Reachable" column ("multicast" for the address-space registry's multicast block). */
  globallyReachable: 'False' | 'N/A' | 'multicast';
  rfc: string;
}

/** The IPv4 blocks that are not part of the public internet. */
export const IPV4_NON_PUBLIC: readonly SpecialPurposeBlock[] = [
  {
    cidr: '0.0.0.0/8',
    name: '"This network" (0.0.0.0/16, 0.0.0.0/32 live here)',
    globallyReachable: 'False',
    rfc: 'RFC 791',
  },
  { cidr: '10.0.0.0/8', name: 'Private-Use', globallyReachable: 'False', rfc: 'RFC 1918' },
  {
    cidr: '100.64.0.0/10',
    name: 'Shared Address Space (carrier-grade NAT)',
    globallyReachable: 'False',
    rfc: 'RFC 6598',
  },
  { cidr: '127.0.0.0/8', name: 'Loopback', globallyReachable: 'False', rfc: 'RFC 1122' },
  { cidr: '169.254.0.0/16', name: 'Link Local (instance metadata)', globallyReachable: 'False', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', globallyReachable: 'False', rfc: 'RFC 1918' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', globallyReachable: 'False', rfc: 'RFC 6890' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', globallyReachable: 'False', rfc: 'RFC 5737' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', globallyReachable: 'N/A', rfc: 'RFC 7526' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', globallyReachable: 'False', rfc: 'RFC 1918' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', globallyReachable: 'False', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', globallyReachable: 'False', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', globallyReachable: 'False', rfc: 'RFC 5737' },
  { cidr: '224.0.0.0/4', name: 'Multicast', globallyReachable: 'multicast', rfc: 'RFC 5771' },
  {
    cidr: '240.0.0.0/4',
    name: 'Reserved (incl. 255.255.255.255/32 Limited Broadcast)',
    globallyReachable: 'False',
    rfc: 'RFC 1112',
  },
];

/** Where routable IPv6 lives: the Global Unicast block, the only one allocated to the regional registries. */
export const IPV6_GLOBAL_UNICAST = '2000::/3';

/**
 * The IPv6 special-purpose blocks that are not part of the public internet. Those outside 2000::/3 (`::1/128`,
 * `fc00::/7`, `fe80::/10`, `ff00::/8`, `64:ff9b::/96` …) are excluded by {@link IPV6_GLOBAL_UNICAST} already; they are
 * listed so `NON_PUBLIC_RANGES` stays a readable list of what is not the internet.
 */
export const IPV6_NON_PUBLIC: readonly SpecialPurposeBlock[] = [
  { cidr: '::/128', name: 'Unspecified Address', globallyReachable: 'False', rfc: 'RFC 4291' },
  { cidr: '::1/128', name: 'Loopback Address', globallyReachable: 'False', rfc: 'RFC 4291' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', globallyReachable: 'False', rfc: 'RFC 4291' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat. (local use)', globallyReachable: 'False', rfc: 'RFC 8215' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', globallyReachable: 'False', rfc: 'RFC 6666' },
  {
    cidr: '2001::/23',
    name: 'IETF Protocol Assignments (Teredo, benchmarking, ORCHID …)',
    globallyReachable: 'False',
    rfc: 'RFC 2928',
  },
  { cidr: '2001:db8::/32', name: 'Documentation', globallyReachable: 'False', rfc: 'RFC 3849' },
  { cidr: '2002::/16', name: '6to4', globallyReachable: 'N/A', rfc: 'RFC 3056' },
  { cidr: '3fff::/20', name: 'Documentation', globallyReachable: 'False', rfc: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', globallyReachable: 'False', rfc: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', globallyReachable: 'False', rfc: 'RFC 4193' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', globallyReachable: 'False', rfc: 'RFC 4291' },
  { cidr: 'ff00::/8', name: 'Multicast', globallyReachable: 'multicast', rfc: 'RFC 4291' },
];
