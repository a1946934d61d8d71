import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { unwrap, type Payload } from '../../shared/1-ingest/envelope/unwrap.ts';
import { classifyPayload, emptyClassified } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { corpusInput, loadCorpus } from '../support/corpus.ts';
import { busAdmits, busEvent, centralRoute, memberForwards } from '../support/event-routing.ts';
import {
  loadTemplate,
  MODES,
  type Mode,
  type Obj,
  packagedTemplates,
  ResolvedStack,
  type Template,
} from '../support/stack-template.ts';

/**
 * Every sample event — events/ and the conformance corpus, CloudTrail and Config — followed from the account where it
 * happened to an ingest queue, per packaged mode: in org mode from a member account through deploy/member-account.yml's
 * forwarding rules, the forwarding role's PutEvents against the central bus policy, and the central bus's rules; in the
 * single-account modes through the account's own bus (or its Config / trail topic subscription). An event that a rule
 * judges (it yields a finding when classified) must reach the queue of its source; nothing may reach a queue twice.
 */
const packaged = packagedTemplates('test/deploy/event-routing.test.ts');
const root = join(import.meta.dirname, '..', '..');
const CENTRAL = '999988887777';
const ORG = 'o-a1b2c3d4e5';
const REGION = 'eu-west-1';

interface Sample {
  name: string;
  payload: Payload & { kind: 'cloudtrail' | 'config' };
  judged: boolean;
}

function samples(): Sample[] {
  const inputs: { name: string; value: unknown }[] = [];
  for (const dir of ['cloudtrail', 'config'])
    for (const f of readdirSync(join(root, 'events', dir))
      .filter((n) => n.endsWith('.json'))
      .sort())
      inputs.push({
        name: `events/${dir}/${f}`,
        value: JSON.parse(readFileSync(join(root, 'events', dir, f), 'utf8')),
      });
  for (const c of loadCorpus()) inputs.push({ name: `corpus/${c.id}`, value: corpusInput(c) });
  const out: Sample[] = [];
  for (const { name, value } of inputs)
    for (const payload of unwrap(value, { file: name })) {
      if (payload.kind !== 'cloudtrail' && payload.kind !== 'config') continue;
      const result = emptyClassified();
      classifyPayload(payload, { rules: RULES, context: EMPTY_CONTEXT }, result);
      out.push({ name, payload, judged: result.findings.length > 0 });
    }
  return out;
}

const memberTemplate = parse(readFileSync(join(root, 'deploy', 'member-account.yml'), 'utf8')) as Template;
const QUEUE_OF = { cloudtrail: 'CloudTrailQueue', config: 'ConfigQueue' } as const;

interface Routed {
  sample: Sample;
  account: string;
  forwardedBy: string[];
  busAdmits: string;
  queues: string[];
  rules: string[];
}

/** Follow every sample through one mode's templates (org mode: as events of member accounts). */
async function follow(mode: Mode, template: Template, all: readonly Sample[]): Promise<Routed[]> {
  const central = new ResolvedStack(template, { account: CENTRAL, region: REGION, stackName: 'netwatch-ci' });
  const out: Routed[] = [];
  const admitted = new Map<string, string>();
  for (const sample of all) {
    const bus = busEvent(sample.payload);
    if (bus === undefined) continue;
    if (mode !== 'org') {
      // A single-account deployment: the event happens in the stack's own account, on its own default bus.
      const event = { ...bus.event, account: CENTRAL };
      out.push({ sample, account: CENTRAL, forwardedBy: [], busAdmits: 'own bus', ...centralRoute(central, event) });
      continue;
    }
    const member = new ResolvedStack(memberTemplate, {
      account: bus.account,
      region: REGION,
      parameters: {
        CentralEventBusArn: `arn:aws:events:${REGION}:${CENTRAL}:event-bus/default`,
        ForwardConfigEvents: 'true',
      },
    });
    const forwardedBy = memberForwards(member, bus.event);
    let admits = admitted.get(bus.account);
    if (admits === undefined) {
      admits = await busAdmits(member, central, ORG);
      admitted.set(bus.account, admits);
    }
    const arrived = forwardedBy.length > 0 && admits === 'Allowed';
    out.push({
      sample,
      account: bus.account,
      forwardedBy,
      busAdmits: admits,
      ...(arrived ? centralRoute(central, bus.event) : { queues: [], rules: [] }),
    });
  }
  return out;
}

const unrouted = (routed: readonly Routed[], expected: (s: Sample) => string | undefined) =>
  routed
    .filter((r) => r.sample.judged)
    .filter((r) => {
      const queue = expected(r.sample);
      return queue !== undefined && !r.queues.includes(queue);
    })
    .map(
      (r) =>
        `${r.sample.name} (${r.sample.payload.kind}, account ${r.account}): forwarded by [${r.forwardedBy.join(', ')}], bus ${r.busAdmits}, reached [${r.queues.join(', ')}]`,
    );

describe.skipIf(!packaged)('event routing: every judged sample event reaches its ingest queue, per mode', () => {
  let all: Sample[] = [];
  const routes = new Map<Mode, Routed[]>();
  beforeAll(async () => {
    all = samples();
    for (const mode of MODES) routes.set(mode, await follow(mode, loadTemplate(mode), all));
    if (process.env['NETWATCH_PRINT_ROUTES'])
      for (const [mode, routed] of routes) {
        const count = (kind: string, q: string) =>
          routed.filter((r) => r.sample.payload.kind === kind && r.sample.judged && r.queues.includes(q)).length;
        const judged = (kind: string) => routed.filter((r) => r.sample.payload.kind === kind && r.sample.judged).length;
        console.log(
          `${mode}: ${routed.length} bus events; CloudTrail judged ${judged('cloudtrail')} → CloudTrailQueue ${count('cloudtrail', 'CloudTrailQueue')}; Config judged ${judged('config')} → ConfigQueue ${count('config', 'ConfigQueue')}; rules ${[...new Set(routed.flatMap((r) => r.rules))].join(', ')}`,
        );
      }
  });

  it('the samples cover both sources, judged and not (the routing check cannot pass empty)', () => {
    const kinds = (judged: boolean) => new Set(all.filter((s) => s.judged === judged).map((s) => s.payload.kind));
    expect(kinds(true)).toEqual(new Set(['cloudtrail', 'config']));
    expect(kinds(false)).toEqual(new Set(['cloudtrail', 'config']));
    expect(all.length).toBeGreaterThan(150);
  });

  it('org: member CloudTrail and Config events are forwarded, admitted by the bus policy, and reach their queue', () => {
    const routed = routes.get('org') ?? [];
    expect(routed.length).toBeGreaterThan(0);
    expect(unrouted(routed, (s) => QUEUE_OF[s.payload.kind])).toEqual([]);
    expect(new Set(routed.flatMap((r) => r.rules))).toEqual(new Set(['CloudTrailEventsRule', 'OrgConfigEventsRule']));
    expect(new Set(routed.filter((r) => r.forwardedBy.length).map((r) => r.busAdmits))).toEqual(new Set(['Allowed']));
  });

  it("org: the central account's own Config events come through its topic only (no second copy via the bus)", () => {
    const central = new ResolvedStack(loadTemplate('org'), { account: CENTRAL, region: REGION });
    const config = all.find((s) => s.payload.kind === 'config' && s.judged);
    const bus = config && busEvent(config.payload);
    expect(bus).toBeDefined();
    expect(centralRoute(central, { ...(bus?.event as Obj), account: CENTRAL }).queues).toEqual([]);
    expect(central.template.Resources['ConfigTopicSubscription']).toBeDefined();
  });

  it('an account outside the organization is refused by the central bus', async () => {
    const central = new ResolvedStack(loadTemplate('org'), { account: CENTRAL, region: REGION });
    const member = new ResolvedStack(memberTemplate, {
      account: '123456789012',
      region: REGION,
      parameters: { CentralEventBusArn: `arn:aws:events:${REGION}:${CENTRAL}:event-bus/default` },
    });
    expect(await busAdmits(member, central, 'o-zzzzzzzzzz')).toBe('ImplicitlyDenied');
    expect(await busAdmits(member, central, ORG)).toBe('Allowed');
  });

  it.each(['default', 'private'] as const)(
    '%s: CloudTrail by its own bus (EventBridge source) or trail topic (S3 source); Config by its topic — once',
    (mode) => {
      const routed = routes.get(mode) ?? [];
      const template = loadTemplate(mode);
      const s3 = template.Resources['CloudTrailTopicSubscription'] !== undefined;
      expect(unrouted(routed, (s) => (s.payload.kind === 'cloudtrail' && !s3 ? 'CloudTrailQueue' : undefined))).toEqual(
        [],
      );
      // Config arrives by the delivery channel's topic: no bus rule may deliver a second copy.
      expect(template.Resources['ConfigTopicSubscription']).toBeDefined();
      expect(
        routed.filter((r) => r.sample.payload.kind === 'config' && r.queues.length > 0).map((r) => r.sample.name),
      ).toEqual([]);
      if (s3) expect(routed.filter((r) => r.queues.length > 0)).toEqual([]);
    },
  );

  it('without the org Config rule, member Config events reach no queue (the check can fail)', async () => {
    const template = structuredClone(loadTemplate('org'));
    delete template.Resources['OrgConfigEventsRule'];
    const routed = await follow(
      'org',
      template,
      all.filter((s) => s.payload.kind === 'config' && s.judged).slice(0, 5),
    );
    expect(unrouted(routed, (s) => QUEUE_OF[s.payload.kind])).toHaveLength(routed.length);
    expect(routed.length).toBeGreaterThan(0);
  });
});
