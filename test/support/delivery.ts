import type { RouteSpec } from '../../shared/5-decide/route.ts';
import { MemoryDeliveryStore } from '../../shared/6-deliver/ledger/memory-store.ts';
import type { DeliveryDeps } from '../../shared/6-deliver/orchestrate.ts';
import { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';

/**
 * The delivery a deployed stack's default config amounts to, in memory: a `paging` sink for unapproved findings of
 * medium and up (and their resolves), a `change-log` sink for every finding, a fresh ledger. Tests read what each sink
 * received (`paging.notices`, `changes.notices`).
 */
export function pagingAndChangeLog(now?: () => Date): {
  deps: DeliveryDeps;
  paging: MemorySink;
  changes: MemorySink;
} {
  const paging = new MemorySink('paging');
  const changes = new MemorySink('change-log');
  const routes: RouteSpec[] = [
    {
      name: 'page-risky',
      kind: 'paging',
      minSeverity: 'medium',
      approval: ['unapproved', 'expired'],
      sinks: ['paging'],
      resolved: true,
    },
    { name: 'change-management', kind: 'record', sinks: ['change-log'] },
  ];
  const deps: DeliveryDeps = {
    routes,
    sinks: new Map([
      ['paging', paging],
      ['change-log', changes],
    ]),
    store: new MemoryDeliveryStore(),
    allowlists: [],
    dedupWindowMs: 86_400_000,
    groupingWindowMs: 1,
    claimLeaseMs: 60_000,
    ...(now !== undefined ? { now } : {}),
  };
  return { deps, paging, changes };
}
