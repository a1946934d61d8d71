import type { ConfigHistoryApi } from './config-history.ts';
import { fetchItemPair } from './config-history.ts';
import type { ResourceConfigApi } from './resource-lookup.ts';
import { lookupNeighbours } from './resource-lookup.ts';
import type { RetryOptions } from '../platform/aws/retry.ts';
import { errorSummary } from '../platform/aws/retry.ts';
import type { ActorLookup, TrailLookup } from './trail-lookup.ts';
import type { Actor, ApiCall, ChangeEvent, EnrichmentStep, ResourceFacts, UninspectedDelta } from '../model/change.ts';
import { deltasFromItems } from '../1-ingest/aws-config/index.ts';
import { OVERSIZED_NOTE } from '../1-ingest/aws-config/oversized.ts';

/**
 * Enrichment: the step between normalize and evaluate that fills in what the event itself does not carry, with AWS
 * read APIs (shared/2-enrich/, SDK plumbing in shared/platform/aws/). Every part is optional and every failure is a value: a change always comes out, and
 * `change.enrichment` says what was done, what failed and what timed out (the adjust step copies it into `why`).
 *
 * 1. Oversized Config items: fetch the item and its predecessor (GetResourceConfigHistory) and replace the
 *    "uninspected" delta with real deltas; on failure the delta keeps the reason (rules/change-uninspected.ts).
 * 2. Actor of a Config change: look up its `relatedEvents` in CloudTrail (LookupEvents; rate-limited and cached by
 *    TrailLookup), waiting at most `waitMs`: a page is never held up by the look-up.
 * 3. Neighbours: public IPs of the ENIs a world-open security group is attached to, tags of the VPC an internet gateway
 *    was attached to (BatchGetResourceConfig), within the same bound.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_GetResourceConfigHistory.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_BatchGetResourceConfig.html
 */
export interface EnrichDeps {
  configHistory?: ConfigHistoryApi;
  trail?: TrailLookup;
  resources?: ResourceConfigApi;
  /** Longest wait for the actor and neighbour look-ups, in ms (default 2000). */
  waitMs?: number;
  /** Retry budget for throttled calls. */
  retry?: RetryOptions;
}

/** The default bound on look-ups a page waits for. */
export const DEFAULT_WAIT_MS = 2000;

/** Enrich one normalized change. Never throws; never mutates `change`. */
export async function enrich(change: ChangeEvent, deps: EnrichDeps): Promise<ChangeEvent> {
  const inspected = deps.configHistory ? await inspectOversized(change, deps.configHistory, deps.retry) : change;
  const waitMs = deps.waitMs ?? DEFAULT_WAIT_MS;
  const [actor, neighbours] = await Promise.all([
    lookupActor(inspected, deps.trail, waitMs),
    lookupContext(inspected, deps, waitMs),
  ]);
  const steps = [...(inspected.enrichment ?? []), ...actor.steps, ...neighbours.steps];
  const out: ChangeEvent = { ...inspected };
  if (actor.actor) out.actor = actor.actor;
  if (actor.api && !out.api) out.api = actor.api;
  if (neighbours.facts) out.facts = { ...out.facts, ...neighbours.facts };
  if (steps.length > 0) out.enrichment = steps;
  return out;
}

function isOversized(d: ChangeEvent['deltas'][number]): d is UninspectedDelta {
  return d.kind === 'uninspected' && d.reason === 'oversized';
}

/** Oversized change → the change its fetched items describe, or the same change with the failure recorded. */
async function inspectOversized(
  change: ChangeEvent,
  api: ConfigHistoryApi,
  retry: RetryOptions | undefined,
): Promise<ChangeEvent> {
  const delta = change.deltas.find(isOversized);
  if (delta === undefined) return change;
  const request = {
    resourceType: change.resource.type,
    resourceId: change.resource.id,
    region: change.region,
    capturedAt: change.at,
  };
  const fetched = await fetchItemPair(api, request, retry);
  const throttledNote = (n: number) =>
    n > 0 ? ` (after ${n} throttled attempt${n === 1 ? '' : 's'}, retried with backoff)` : '';
  let failure: string;
  let outcome: EnrichmentStep['outcome'];
  if (fetched.kind === 'fetched') {
    try {
      const normalized = deltasFromItems(fetched.pair, { file: `GetResourceConfigHistory:${change.resource.id}` });
      const next = normalized.kind === 'changes' ? normalized.changes[0] : undefined;
      if (next !== undefined) {
        const step: EnrichmentStep = {
          step: 'item-fetch',
          outcome: 'done',
          detail: `oversized item fetched with GetResourceConfigHistory and diffed against ${fetched.pair.previous === undefined ? 'nothing (no earlier item: judged as newly discovered)' : 'the previous item'}${throttledNote(fetched.throttled)}`,
        };
        const notes = (change.notes ?? []).filter((n) => n !== OVERSIZED_NOTE);
        const out: ChangeEvent = {
          ...next,
          id: change.id,
          at: change.at,
          enrichment: [...(change.enrichment ?? []), step],
        };
        if (notes.length > 0) out.notes = notes;
        else delete out.notes;
        return out;
      }
      failure = `the fetched item could not be diffed: ${normalized.kind === 'ignored' ? normalized.reason : 'no change'}`;
    } catch (error) {
      failure = `the fetched item could not be read: ${errorSummary(error)}`;
    }
    outcome = 'failed';
  } else {
    failure = fetched.detail;
    outcome = fetched.kind === 'not-found' ? 'not-found' : 'failed';
  }
  const deltas = change.deltas.map((d) => (d === delta ? { ...delta, failure } : d));
  return {
    ...change,
    deltas,
    enrichment: [
      ...(change.enrichment ?? []),
      { step: 'item-fetch', outcome, detail: `oversized item not inspected: ${failure}` },
    ],
  };
}

/** Resolves to the value, or to `timedOut` after `ms` (the timer never keeps the process alive). */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface ActorPatch {
  actor?: Actor;
  api?: ApiCall;
  steps: EnrichmentStep[];
}

async function lookupActor(change: ChangeEvent, trail: TrailLookup | undefined, waitMs: number): Promise<ActorPatch> {
  const eventId = change.related?.[0];
  if (
    trail === undefined ||
    change.source !== 'config' ||
    change.actor !== undefined ||
    eventId === undefined ||
    change.deltas.length === 0
  )
    return { steps: [] };
  const result = await within<ActorLookup>(trail.actorOf(eventId, change.account, change.region), waitMs);
  if ('timedOut' in result) {
    return {
      steps: [
        {
          step: 'actor-lookup',
          outcome: 'timed-out',
          detail: `actor lookup timed out after ${waitMs} ms (LookupEvents ${eventId}); delivered without the actor`,
        },
      ],
    };
  }
  const found = result.value;
  if (found.kind === 'found') {
    const who = found.actor.arn ?? found.actor.principalId ?? 'unknown principal';
    return {
      actor: found.actor,
      api: found.api,
      steps: [
        {
          step: 'actor-lookup',
          outcome: 'done',
          detail: `actor ${who} from CloudTrail event ${eventId} (${found.api.name}, LookupEvents)`,
        },
      ],
    };
  }
  return {
    steps: [
      {
        step: 'actor-lookup',
        outcome: found.kind === 'not-found' ? 'not-found' : 'failed',
        detail: `actor unknown: ${found.detail}`,
      },
    ],
  };
}

interface ContextPatch {
  facts?: ResourceFacts;
  steps: EnrichmentStep[];
}

/** What to ask BatchGetResourceConfig about this change: ENIs of a world-reachable SG, the VPC of an IGW attach. */
function neighboursWanted(change: ChangeEvent): { enis?: string[]; vpcId?: string } | undefined {
  const enis = change.facts?.networkInterfaces;
  const sgIngress = change.deltas.some(
    (d) => d.kind === 'sg-permission' && d.op !== 'removed' && d.permission.direction === 'ingress',
  );
  const igw = change.deltas.find(
    (d) => d.kind === 'gateway-attachment' && d.op === 'added' && d.gateway.kind === 'internet-gateway',
  );
  const vpcId = igw?.kind === 'gateway-attachment' ? (igw.vpcId ?? change.resource.vpcId) : undefined;
  const want: { enis?: string[]; vpcId?: string } = {};
  if (sgIngress && enis !== undefined && enis.length > 0) want.enis = enis;
  if (vpcId !== undefined) want.vpcId = vpcId;
  return want.enis !== undefined || want.vpcId !== undefined ? want : undefined;
}

async function lookupContext(change: ChangeEvent, deps: EnrichDeps, waitMs: number): Promise<ContextPatch> {
  const want = deps.resources === undefined ? undefined : neighboursWanted(change);
  if (deps.resources === undefined || want === undefined) return { steps: [] };
  const result = await within(lookupNeighbours(deps.resources, change.region, want, deps.retry), waitMs);
  if ('timedOut' in result) {
    return {
      steps: [
        {
          step: 'resource-lookup',
          outcome: 'timed-out',
          detail: `neighbour lookup timed out after ${waitMs} ms (BatchGetResourceConfig); no attachment/VPC context`,
        },
      ],
    };
  }
  const found = result.value;
  if (found.kind === 'failed') return { steps: [{ step: 'resource-lookup', outcome: 'failed', detail: found.detail }] };
  const facts: ResourceFacts = {};
  const looked: string[] = [];
  if (found.publicEnis !== undefined) {
    facts.publicNetworkInterfaces = found.publicEnis;
    looked.push(`${want.enis?.length ?? 0} ENI(s), ${found.publicEnis.length} with a public IP`);
  } else if (want.enis !== undefined)
    looked.push(`${want.enis.length} ENI(s), not all recorded by Config (public IPs unknown)`);
  if (found.vpcTags !== undefined) {
    facts.vpcTags = found.vpcTags;
    looked.push(`VPC ${want.vpcId} tags`);
  } else if (want.vpcId !== undefined) looked.push(`VPC ${want.vpcId} (no tags recorded)`);
  return {
    facts,
    steps: [
      { step: 'resource-lookup', outcome: 'done', detail: `looked up ${looked.join('; ')} (BatchGetResourceConfig)` },
    ],
  };
}
