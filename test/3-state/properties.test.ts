import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import type { ChangeEvent, NaclEntry, NetworkDelta, SgPermission } from '../../shared/model/change.ts';
import { isRisky } from '../../shared/model/severity.ts';
import { applyOps, elementOps, emptyState, resourcesOf, stateText } from '../../shared/model/state.ts';
import { exposuresOf } from '../../shared/net/exposure.ts';
import { ct, IGW, RTB_REF, SG, SG_REF, stateJudge } from './helpers.ts';

/**
 * Properties of the state step, over random sequences of changes to one security group, one route table and one
 * network ACL:
 * - the exposures kept after applying the changes one by one — in any delivery order — are the exposures of the final
 *   state computed at once (in event-time order);
 * - applying a change twice changes nothing;
 * - tightening never pages: a change that only removes never yields a medium-or-higher finding.
 */

const NACL = 'acl-0f1e2d3c4b5a69788';
const NACL_REF = { type: 'AWS::EC2::NetworkAcl', id: NACL } as const;

const v4 = fc.constantFrom(
  '0.0.0.0/0',
  '0.0.0.0/1',
  '128.0.0.0/1',
  '0.0.0.0/2',
  '64.0.0.0/2',
  '10.0.0.0/8',
  '81.2.69.0/24',
  '203.0.113.0/24',
  '52.0.0.0/8',
);
const v6 = fc.constantFrom('::/0', '::/1', '8000::/1', '2001:db8::/32', 'fd00::/8');
const ports = fc.constantFrom<[number, number] | undefined>(undefined, [22, 22], [443, 443], [0, 1024], [20, 25]);
const protocol = fc.constantFrom('tcp', 'udp', 'all');

const permission: fc.Arbitrary<SgPermission> = fc
  .record({
    direction: fc.constantFrom('ingress' as const, 'egress' as const),
    protocol,
    ports,
    cidr: fc.oneof(v4, v6),
  })
  .map((r) => ({
    direction: r.direction,
    protocol: r.protocol,
    ...(r.ports && r.protocol !== 'all' ? { fromPort: r.ports[0], toPort: r.ports[1] } : {}),
    peer: r.cidr.includes(':') ? { kind: 'cidr6' as const, cidr: r.cidr } : { kind: 'cidr4' as const, cidr: r.cidr },
  }));
const entry: fc.Arbitrary<NaclEntry> = fc
  .record({
    ruleNumber: fc.constantFrom(50, 90, 100, 110),
    action: fc.constantFrom('allow' as const, 'deny' as const),
    protocol,
    ports,
    cidr: fc.oneof(v4, v6),
  })
  .map((r) => ({
    ruleNumber: r.ruleNumber,
    egress: false,
    action: r.action,
    protocol: r.protocol,
    cidr: { kind: r.cidr.includes(':') ? ('cidr6' as const) : ('cidr4' as const), value: r.cidr },
    ...(r.ports && r.protocol !== 'all' ? { fromPort: r.ports[0], toPort: r.ports[1] } : {}),
  }));
const route = fc.record({
  destination: fc.oneof(v4, v6),
  target: fc.constantFrom(
    { kind: 'internet-gateway' as const, id: IGW },
    { kind: 'nat-gateway' as const, id: 'nat-0c1d2e3f4a5b69788' },
    { kind: 'transit-gateway' as const, id: 'tgw-0a1b2c3d4e5f60718' },
  ),
});

type Step = { ref: { type: string; id: string }; delta: NetworkDelta };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc
    .tuple(fc.constantFrom('added' as const, 'removed' as const), permission)
    .map(([op, p]): Step => ({ ref: SG_REF, delta: { kind: 'sg-permission', op, groupId: SG, permission: p } })),
  fc.tuple(fc.constantFrom('added' as const, 'removed' as const), entry).map(
    ([op, e]): Step => ({
      ref: NACL_REF,
      delta: { kind: 'nacl-entry', op, naclId: NACL, entry: e },
    }),
  ),
  fc.tuple(fc.constantFrom('added' as const, 'removed' as const), route).map(
    ([op, r]): Step => ({
      ref: RTB_REF,
      delta: {
        kind: 'route',
        op,
        routeTableId: RTB_REF.id,
        destination: { kind: r.destination.includes(':') ? 'cidr6' : 'cidr4', value: r.destination },
        target: r.target,
      },
    }),
  ),
);

/** Steps become CloudTrail changes one minute apart (event-time order = array order). */
function changesOf(steps: readonly Step[]): ChangeEvent[] {
  return steps.map((s, i) => ct(s.ref, [s.delta], i, `e-${String(i).padStart(4, '0')}`));
}

/** Exposures of each resource's state computed at once from the whole sequence (event-time order). */
function expectedExposures(changes: readonly ChangeEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const resources = resourcesOf(changes.flatMap((c) => c.deltas));
  for (const r of resources) {
    const state = applyOps(
      emptyState(r),
      changes.flatMap((c) => c.deltas.flatMap(elementOps)),
    );
    out[r.id] = exposuresOf(state)
      .map((e) => `${e.key} ${e.label}`)
      .sort();
  }
  return out;
}

async function keptExposures(store: MemoryStateStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const item of store.all())
    out[item.record.resource.id] = item.exposures.map((e) => `${e.key} ${e.label}`).sort();
  return out;
}

const runs = Number(process.env['FUZZ_RUNS'] ?? 150);

describe('state properties', () => {
  it('incremental exposures equal the exposures of the final state computed at once, whatever the delivery order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.infiniteStream(fc.nat()).map((s) => s),
        async (steps, randomness) => {
          const changes = changesOf(steps);
          const order = [...changes.keys()].sort(() => (randomness.next().value % 3) - 1);
          const j = stateJudge();
          for (const i of order) await j.judge(changes[i]!);
          // The kept state is order-insensitive; the kept exposures are those of the last evaluation of each
          // resource, which (prefix lists aside) is the final state.
          const store = j.store as MemoryStateStore;
          for (const item of store.all()) {
            const r = item.record.resource;
            const expected = applyOps(
              emptyState(r),
              changes.flatMap((c) => c.deltas.flatMap(elementOps)),
            );
            const { stateOfRecord } = await import('../../shared/3-state/lww.ts');
            expect(stateText(stateOfRecord(item.record))).toBe(stateText(expected));
          }
          expect(await keptExposures(store)).toEqual(expectedExposures(changes));
        },
      ),
      { numRuns: runs },
    );
  });

  it('applying a change twice changes nothing (state, exposures, episodes, findings)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), fc.nat(), async (steps, pick) => {
        const changes = changesOf(steps);
        const j = stateJudge();
        const store = j.store as MemoryStateStore;
        const first: string[][] = [];
        for (const c of changes) first.push((await j.judge(c)).map((f) => `${f.fingerprint} ${f.severity}`));
        const snapshot = JSON.stringify(store.all());
        const i = pick % changes.length;
        const again = (await j.judge(changes[i]!)).map((f) => `${f.fingerprint} ${f.severity}`);
        // The outcome kept for a resource is bounded (the last 8): an older change's redelivery is re-applied,
        // which the per-element stamps make a no-op on the state — only its judgement may differ then.
        if (changes.length - i <= 8) expect(again).toEqual(first[i]);
        const after = store.all();
        expect(after.map((x) => stateText(stateOfRecordSync(x.record)))).toEqual(
          (JSON.parse(snapshot) as typeof after).map((x) => stateText(stateOfRecordSync(x.record))),
        );
        expect(after.map((x) => x.episodes.map((e) => e.id))).toEqual(
          (JSON.parse(snapshot) as typeof after).map((x) => x.episodes.map((e) => e.id)),
        );
      }),
      { numRuns: runs },
    );
  });

  it('removing a NACL deny in front of a world allow is a loosening: it pages', async () => {
    const j = stateJudge();
    const allow: NaclEntry = {
      ruleNumber: 100,
      egress: false,
      action: 'allow',
      protocol: 'all',
      cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
    };
    const deny: NaclEntry = {
      ruleNumber: 50,
      egress: false,
      action: 'deny',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
    };
    await j.judge(
      ct(NACL_REF, [{ kind: 'nacl-entry', op: 'added', naclId: NACL, entry: allow }], 0, 'n1', 'CreateNetworkAclEntry'),
    );
    await j.judge(
      ct(NACL_REF, [{ kind: 'nacl-entry', op: 'added', naclId: NACL, entry: deny }], 1, 'n2', 'CreateNetworkAclEntry'),
    );
    const removed = await j.judge(
      ct(
        NACL_REF,
        [{ kind: 'nacl-entry', op: 'removed', naclId: NACL, entry: deny }],
        2,
        'n3',
        'DeleteNetworkAclEntry',
      ),
    );
    expect(removed.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['high nacl-open']);
    expect(removed[0]?.summary).toContain('a deny in front of it was deleted');
  });

  it('tightening never pages: after any history, removing SG rules, NACL allow entries or internet-gateway routes yields nothing medium+', async () => {
    // Removing a NACL deny or a more specific route elsewhere is a loosening (it can let the world in), not a tightening.
    const tightening = (s: Step): boolean =>
      s.delta.kind === 'sg-permission' ||
      (s.delta.kind === 'nacl-entry' && s.delta.entry.action === 'allow') ||
      (s.delta.kind === 'route' && s.delta.target.kind === 'internet-gateway');
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 0, maxLength: 10 }),
        fc.array(step.filter(tightening), { minLength: 1, maxLength: 4 }),
        async (history, removals) => {
          // Deleting a route removes whatever the destination pointed at, an ACL entry whatever held the rule number:
          // only a route that always went to the gateway, an entry that was always an allow, is a tightening.
          const keyOf = (d: NetworkDelta): string | undefined =>
            d.kind === 'route'
              ? `route ${d.destination.value}`
              : d.kind === 'nacl-entry'
                ? `entry ${d.entry.ruleNumber}`
                : undefined;
          const loosening = new Set(
            history.flatMap((h) =>
              (h.delta.kind === 'route' && h.delta.target.kind !== 'internet-gateway') ||
              (h.delta.kind === 'nacl-entry' && h.delta.entry.action === 'deny')
                ? [keyOf(h.delta)]
                : [],
            ),
          );
          fc.pre(removals.every((r) => !loosening.has(keyOf(r.delta))));
          const j = stateJudge();
          for (const c of changesOf(history)) await j.judge(c);
          const removed = removals.map((s) => ({ ...s, delta: { ...s.delta, op: 'removed' } as NetworkDelta }));
          for (const [k, s] of removed.entries()) {
            const c = ct(s.ref, [s.delta], history.length + k, `r-${k}`, 'Revoke');
            const risky = (await j.judge(c)).filter((f) => isRisky(f.severity));
            expect(risky.map((f) => `${f.ruleId} ${f.severity}: ${f.summary}`)).toEqual([]);
          }
        },
      ),
      { numRuns: runs },
    );
  });
});

import { stateOfRecord as stateOfRecordSync } from '../../shared/3-state/lww.ts';
