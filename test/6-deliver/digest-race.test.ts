import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sinksFromConfig,
  deliveryDepsFromConfig,
  approvalSourceFromConfig,
} from '../../shared/config/build-delivery.ts';
import { loadConfigText } from '../../shared/config/load.ts';
import { sendDueDigests } from '../../shared/6-deliver/digest.ts';
import { DynamoDeliveryStore, deliveryTableDefinition } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import { MemoryDeliveryStore } from '../../shared/6-deliver/ledger/memory-store.ts';
import type { DeliveryStore } from '../../shared/6-deliver/ledger/store.ts';
import { deliverFindings, type DeliveryDeps } from '../../shared/6-deliver/orchestrate.ts';
import type { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import type { Sink } from '../../shared/6-deliver/sinks/sink.ts';
import type { Finding } from '../../shared/model/finding.ts';
import type { DigestNotice, Notice } from '../../shared/model/notice.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { stormFindings } from '../support/findings.ts';

/**
 * Issue 12, "A page lost in the digest race": finding F sees the storm window open; the digest run sends the digest
 * and drops the window marker; F's append then re-creates the marker and marks F digested; the next run sees the
 * digest "done" and F is never paged. The fix makes append and close mutually exclusive on the window state.
 *
 * This test runs an appender (one finding's delivery) and a closer (one digest run) against the same store and
 * enumerates EVERY interleaving of their steps, deterministically: each step on shared digest state — every DynamoDB
 * request on a `DIGEST…` key (members, window state, due markers, the digest's ledger rows), or every memory-store
 * call on them — waits at a gate, one actor runs at a time, and a depth-first search over the choices visits each
 * order once. Steps that touch only keys the other actor never touches (the finding's own ledger rows, aliases, the
 * storm window) commute with every step of the other actor, so they run inside the neighbouring step (partial-order
 * reduction) — every order of conflicting steps is still enumerated. After each interleaving, later digest runs
 * settle whatever is due, and the paging sink must have received every finding exactly once: directly, or in exactly
 * one digest.
 */

const T0 = Date.parse('2026-11-20T09:16:00Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

const CONFIG = `
version: 1
sinks:
  paging: { type: memory }
  change-log: { type: memory }
routes:
  - { name: page, kind: paging, match: { minSeverity: medium }, sinks: [paging] }
  - { name: record, kind: record, sinks: [change-log] }
dedup: { tableName: delivery }
grouping: { windowMinutes: 5 }
`;

/** Runs actors one step at a time; `choose` picks which waiting actor moves next. */
class Interleaver {
  private readonly waiting = new Map<string, { label: string; resume: () => void }>();
  private arrived: (() => void) | undefined;
  readonly trace: string[] = [];

  /** Called by an actor before a step on shared state: wait for the scheduler's turn. */
  gate = (actor: string, label: string): Promise<void> =>
    new Promise<void>((resume) => {
      this.waiting.set(actor, { label, resume });
      this.arrived?.();
    });

  async run(actors: Record<string, () => Promise<unknown>>, choose: (options: string[]) => string): Promise<void> {
    const errors: unknown[] = [];
    for (const [name, body] of Object.entries(actors))
      await this.step(() => {
        body().then(
          () => this.arrived?.(),
          (error: unknown) => {
            errors.push(new Error(`${name} failed: ${String(error)}`, { cause: error }));
            this.arrived?.();
          },
        );
      });
    while (this.waiting.size > 0) {
      const pick = choose([...this.waiting.keys()].sort());
      const next = this.waiting.get(pick)!;
      this.waiting.delete(pick);
      this.trace.push(`${pick}: ${next.label}`);
      await this.step(next.resume);
    }
    if (errors.length) throw new AggregateError(errors, errors.map(String).join('; '));
  }

  /** Let one actor run until it reaches its next gate or finishes. */
  private step(start: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      this.arrived = resolve;
      start();
    });
  }
}

/** Every schedule, depth first: replay a prefix of choices, then take the first option, until none is left. */
async function everySchedule(runOnce: (choose: (options: string[]) => string) => Promise<void>): Promise<number> {
  let prefix: number[] = [];
  let runs = 0;
  for (;;) {
    const decisions: Array<{ choice: number; options: number }> = [];
    await runOnce((options) => {
      const choice = prefix[decisions.length] ?? 0;
      decisions.push({ choice, options: options.length });
      return options[choice]!;
    });
    runs += 1;
    let j = decisions.length - 1;
    while (j >= 0 && decisions[j]!.choice + 1 >= decisions[j]!.options) j -= 1;
    if (j < 0) return runs;
    prefix = [...decisions.slice(0, j).map((d) => d.choice), decisions[j]!.choice + 1];
  }
}

/** The partition key a DynamoDB request touches (Put, Get, Update, Delete, Query). */
function pkOf(input: Record<string, unknown>): string {
  const item = input['Item'] as Record<string, unknown> | undefined;
  const key = input['Key'] as Record<string, unknown> | undefined;
  const values = input['ExpressionAttributeValues'] as Record<string, unknown> | undefined;
  return String(item?.['pk'] ?? key?.['pk'] ?? values?.[':pk'] ?? '');
}

/** A document client whose requests on digest state wait at the gate. */
function gatedClient(client: DynamoDBDocumentClient, actor: string, gate: Interleaver['gate']): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
        const pk = pkOf(command.input);
        const item = command.input['Item'] as Record<string, unknown> | undefined;
        const key = command.input['Key'] as Record<string, unknown> | undefined;
        const sk = String(item?.['sk'] ?? key?.['sk'] ?? '');
        // Shared digest state: due markers, window state, member items. The digest's own per-sink ledger rows
        // (DIGEST#…#generation / SINK#…) are touched by the closer alone, like the finding's rows by the appender.
        if (pk === 'DIGESTS' || (pk.startsWith('DIGEST#') && !sk.startsWith('SINK#')))
          await gate(actor, `${command.constructor.name} ${pk} ${sk}`);
        return target.send(command as never);
      };
    },
  });
}

/** A view of one shared memory store whose calls on digest state wait at the gate. */
function gatedMemory(store: MemoryDeliveryStore, actor: string, gate: Interleaver['gate']): DeliveryStore {
  const digestCalls = new Set(['appendToDigest', 'dueDigests', 'beginDigest', 'digestMembers', 'finishDigest']);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const name = String(prop);
        if (digestCalls.has(name) || (typeof args[0] === 'string' && args[0].startsWith('DIGEST')))
          await gate(actor, name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as DeliveryStore;
}

interface World {
  /** A store view for one actor (gated when a gate is given). */
  storeFor(actor: string, gate?: Interleaver['gate']): DeliveryStore;
}

/** Pages received per fingerprint: direct finding notices and digest members. */
function pagesPerFinding(paging: MemorySink): Map<string, number> {
  const count = new Map<string, number>();
  const add = (fp: string) => count.set(fp, (count.get(fp) ?? 0) + 1);
  for (const n of paging.notices as Array<Notice | DigestNotice>) {
    if (n.kind === 'finding') add(n.finding.fingerprint);
    else for (const f of n.findings) add(f.fingerprint);
  }
  return count;
}

/**
 * One interleaving: E opens the window (paged directly); `before` findings join the digest; then F's delivery races
 * one digest run; then digest runs and SQS-style redeliveries settle. Returns the pages per finding.
 */
async function raceOnce(
  world: World,
  findings: { opener: Finding; before: Finding[]; racer: Finding },
  choose: (options: string[]) => string,
): Promise<{ pages: Map<string, number>; trace: string[] }> {
  const config = loadConfigText(CONFIG, 'race.config.yml');
  const sinks = (await sinksFromConfig(config)) as Map<string, Sink>;
  const paging = sinks.get('paging') as MemorySink;
  const approvals = approvalSourceFromConfig(config);
  const deps = (store: DeliveryStore, minutes: number): DeliveryDeps =>
    deliveryDepsFromConfig(config, { store, sinks, now: () => at(minutes) });
  const plain = world.storeFor('setup');
  await deliverFindings([findings.opener], approvals, deps(plain, 0));
  for (const [i, f] of findings.before.entries()) await deliverFindings([f], approvals, deps(plain, 1 + i * 0.1));

  const interleaver = new Interleaver();
  let racerOutcome: Awaited<ReturnType<typeof deliverFindings>> = [];
  await interleaver.run(
    {
      append: async () => {
        racerOutcome = await deliverFindings(
          [findings.racer],
          approvals,
          deps(world.storeFor('append', interleaver.gate), 4),
        );
      },
      close: () => sendDueDigests(deps(world.storeFor('close', interleaver.gate), 6)),
    },
    choose,
  );
  // Settle: a failed record is redelivered by SQS; the scheduled digest keeps running.
  if (racerOutcome.some((o) => o.failed.length > 0)) await deliverFindings([findings.racer], approvals, deps(plain, 7));
  for (const minutes of [10, 30]) await sendDueDigests(deps(plain, minutes));
  return { pages: pagesPerFinding(paging), trace: interleaver.trace };
}

async function assertEveryInterleaving(world: World, prior: number): Promise<{ runs: number; traces: Set<string> }> {
  const [opener, ...rest] = stormFindings(prior + 2);
  const racer = rest.pop()!;
  const expected = [opener!, ...rest, racer].map((f) => f.fingerprint).sort();
  const traces = new Set<string>();
  const runs = await everySchedule(async (choose) => {
    const { pages, trace } = await raceOnce(world, { opener: opener!, before: rest, racer }, choose);
    const text = trace.join('\n');
    traces.add(text);
    expect([...pages.keys()].sort(), `pages after:\n${text}`).toEqual(expected);
    for (const [fp, n] of pages) expect(n, `${fp} paged ${n} times after:\n${text}`).toBe(1);
  });
  return { runs, traces };
}

describe('the digest race: every interleaving of one append and one close', () => {
  let dynamo: LocalDynamo;
  let tables = 0;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => dynamo.close());

  /** A fresh table per interleaving (the DFS replays from scratch). */
  const dynamoWorld = (): World => {
    let table = '';
    let created: Promise<void> | undefined;
    return {
      storeFor(actor, gate) {
        if (actor === 'setup') {
          table = `race-${(tables += 1)}`;
          created = dynamo.createTable(deliveryTableDefinition(table));
        }
        const client = gate ? gatedClient(dynamo.client, actor, gate) : dynamo.client;
        const store = new DynamoDeliveryStore(client, table);
        // The first use waits for the table.
        return new Proxy(store, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown;
            if (typeof value !== 'function') return value;
            return async (...args: unknown[]) => {
              await created;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
      },
    };
  };

  const memoryWorld = (): World => {
    let store = new MemoryDeliveryStore();
    return {
      storeFor(actor, gate) {
        if (actor === 'setup') store = new MemoryDeliveryStore();
        return gate ? gatedMemory(store, actor, gate) : store;
      },
    };
  };

  it.each([
    ['one finding already held', 1],
    ['no finding held yet (the racer creates the digest)', 0],
  ])(
    'DynamoDB (dynalite), %s: each finding is paged exactly once',
    async (_, prior) => {
      const { runs, traces } = await assertEveryInterleaving(dynamoWorld(), prior);
      expect(traces.size).toBe(runs); // every run took a different order
      // 466 and 25 interleavings when written (the closer's requests on shared state × the appender's three).
      expect(runs).toBeGreaterThanOrEqual(prior === 1 ? 400 : 20);
    },
    300_000,
  );

  it.each([
    ['one finding already held', 1],
    ['no finding held yet (the racer creates the digest)', 0],
  ])('memory store, %s: each finding is paged exactly once', async (_, prior) => {
    const { runs, traces } = await assertEveryInterleaving(memoryWorld(), prior);
    expect(traces.size).toBe(runs);
    // The memory store's calls are atomic: one append call among the closer's 6 gated calls = 7 orders; with nothing
    // due before the append, the closer either sees nothing (1 call) or runs wholly after it: 2 orders.
    expect(runs).toBe(prior === 1 ? 7 : 2);
  });

  it('upgrade: a window the previous version filled (members with a TTL, a status marker, no state) is still sent', async () => {
    // Prepare: the items the version before the window state wrote for one held finding.
    const table = `legacy-${(tables += 1)}`;
    await dynamo.createTable(deliveryTableDefinition(table));
    const config = loadConfigText(CONFIG, 'legacy.config.yml');
    const sinks = (await sinksFromConfig(config)) as Map<string, Sink>;
    const paging = sinks.get('paging') as MemorySink;
    const [held] = stormFindings(2).slice(1);
    const window = {
      account: held!.account,
      ruleId: held!.ruleId,
      windowStart: at(0).toISOString(),
      windowEnd: at(5).toISOString(),
    };
    const key = `DIGEST#${window.account}#${window.ruleId}#${window.windowStart}`;
    const ttl = Math.floor(at(24 * 60).getTime() / 1000);
    await dynamo.client.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: key,
          sk: `F#${held!.fingerprint}`,
          fingerprint: held!.fingerprint,
          finding: JSON.stringify(held),
          approval: JSON.stringify({ state: 'unapproved', reason: 'no approval' }),
          routes: ['page'],
          sinks: ['paging'],
          expiresAt: ttl,
        },
      }),
    );
    await dynamo.client.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'DIGESTS',
          sk: `${window.windowEnd}#${window.account}#${window.ruleId}#${window.windowStart}`,
          status: 'pending',
          ...window,
          expiresAt: ttl,
        },
      }),
    );
    // Act: the new version's digest run.
    const store = new DynamoDeliveryStore(dynamo.client, table);
    const outcomes = await sendDueDigests(deliveryDepsFromConfig(config, { store, sinks, now: () => at(6) }));
    // Assess
    expect(outcomes.map((o) => o.sent)).toEqual([{ paging: 1 }]);
    expect(pagesPerFinding(paging)).toEqual(new Map([[held!.fingerprint, 1]]));
  });

  it('nothing undelivered expires: a digest that fails for longer than the dedup window is still sent', async () => {
    // Prepare: a storm window with one held finding; the paging sink fails for 30 hours (dedup window: 24 h).
    const table = `ttl-${(tables += 1)}`;
    await dynamo.createTable(deliveryTableDefinition(table));
    const config = loadConfigText(CONFIG, 'ttl.config.yml');
    const sinks = (await sinksFromConfig(config)) as Map<string, Sink>;
    const paging = sinks.get('paging') as MemorySink;
    const failing: Sink = { name: 'paging', kind: 'memory', deliver: async () => Promise.reject(new Error('down')) };
    const store = new DynamoDeliveryStore(dynamo.client, table);
    const approvals = approvalSourceFromConfig(config);
    const deps = (minutes: number, sink: Sink): DeliveryDeps =>
      deliveryDepsFromConfig(config, {
        store,
        sinks: new Map([...sinks, ['paging', sink]]),
        now: () => at(minutes),
      });
    const [opener, held] = stormFindings(2);
    await deliverFindings([opener!], approvals, deps(0, paging));
    await deliverFindings([held!], approvals, deps(1, paging));
    // Act: the digest fails every run for 30 h; DynamoDB's TTL sweeper deletes whatever has expired; then it recovers.
    for (const minutes of [6, 60, 24 * 60, 30 * 60]) {
      const [outcome] = await sendDueDigests(deps(minutes, failing));
      expect(outcome?.failed.length).toBe(1);
    }
    await ttlSweep(dynamo.client, table, at(30 * 60 + 1));
    const recovered = await sendDueDigests(deps(30 * 60 + 2, paging));
    // Assess: the held finding arrives in its digest (before the fix the marker and member had expired with it).
    expect(recovered.map((o) => o.sent)).toEqual([{ paging: 1 }]);
    expect(pagesPerFinding(paging)).toEqual(
      new Map([
        [opener!.fingerprint, 1],
        [held!.fingerprint, 1],
      ]),
    );
  });
});

/** What DynamoDB TTL does (dynalite does not): delete every item whose `expiresAt` (epoch seconds) has passed. */
async function ttlSweep(client: DynamoDBDocumentClient, table: string, now: Date): Promise<void> {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
  for (const item of Items)
    if (typeof item['expiresAt'] === 'number' && item['expiresAt'] < now.getTime() / 1000)
      await client.send(new DeleteCommand({ TableName: table, Key: { pk: item['pk'], sk: item['sk'] } }));
}
