import { pagingAndChangeLog } from '../support/delivery.ts';
import {
  DeleteRouteCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import { classifyValueAsync, emptyClassified, judgeStateful } from '../../shared/4-classify/classify.ts';
import type { Approval, ApprovalSource } from '../../shared/5-decide/approvals/model.ts';
import type { RespondPolicy } from '../../shared/5-decide/respond.ts';
import { deliverFindings } from '../../shared/6-deliver/orchestrate.ts';
import { respond, type ResponderDeps } from '../../shared/6-deliver/respond/act.ts';
import {
  planResponses,
  scheduleResponses,
  type RevertRequest,
  type ScheduleDeps,
} from '../../shared/6-deliver/respond/schedule.ts';
import type { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import { liveRevertApi } from '../../shared/lambda/respond-handler.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { startEmulator } from '../support/fauxqs.ts';

/**
 * Opt-in response on an emulated queue (fauxqs: the revert requests really go through SQS) with the EC2 API mocked at
 * the SDK boundary (no EC2 emulator exists): a world-open SSH rule added by AuthorizeSecurityGroupIngress is planned
 * (the page says what will be reverted), queued once delivered, and acted on when the grace period ends — reverted, or
 * not, when an approval arrived in between. Time is a fake clock; SQS delays are set to 0 so nothing sleeps.
 */

const ACCOUNT = '111122223333';
const GROUP = 'sg-0a1b2c3d4e5f60718';
// In the future: the memory ledger ages episode pages by the machine's clock (90 days), not the test's.
const T0 = Date.parse('2030-03-02T10:00:00Z');
const MIN = 60_000;

const ec2 = mockClient(EC2Client);
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let queueUrl = '';

beforeAll(async () => {
  emulator = await startEmulator();
  queueUrl =
    (await emulator.clients.sqs.send(new CreateQueueCommand({ QueueName: 'netwatch-respond' }))).QueueUrl ?? '';
});
afterAll(async () => {
  ec2.restore();
  await emulator.stop();
});
beforeEach(() => {
  ec2.reset();
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, $metadata: { requestId: 'ec2-req-1' } });
});

function sshEvent(id = 'b1c2d3e4-0001-4a5b-8c7d-9e0f1a2b3c4d') {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/NetworkAdmin/alice`,
      accountId: ACCOUNT,
    },
    eventTime: new Date(T0).toISOString(),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    requestParameters: {
      groupId: GROUP,
      ipPermissions: {
        items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
      },
    },
    responseElements: {
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: ACCOUNT,
            groupId: GROUP,
            securityGroupRuleId: 'sgr-0a1b2c3d4e5f60718',
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
    },
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  };
}

/** Approvals that can arrive while a test runs. */
class ArrivingApprovals implements ApprovalSource {
  list: Approval[] = [];
  async forAccount(account: string) {
    return this.list.filter((a) => a.accounts === undefined || a.accounts.includes(account));
  }
}

function world(policy: Partial<RespondPolicy> = {}) {
  let now = T0 + 30_000;
  const clock = () => new Date(now);
  const store = new MemoryStateStore();
  const engine = new StateEngine({ store });
  const { deps: delivery, paging, changes } = pagingAndChangeLog(clock);
  const routes = delivery.routes;
  const approvals = new ArrivingApprovals();
  const full: RespondPolicy = {
    dryRun: false,
    graceMs: 15 * MIN,
    categories: ['sg-open-world', 'route-to-igw'],
    accounts: [ACCOUNT],
    ...policy,
  };
  const sqs = emulator.clients.sqs;
  const schedule: ScheduleDeps = {
    policy: full,
    store: delivery.store,
    send: async (body, delaySeconds) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delaySeconds }));
    },
    // The emulator would really wait: the grace period is carried by the fake clock instead.
    maxDelaySeconds: 0,
    dedupWindowMs: delivery.dedupWindowMs,
    claimLeaseMs: delivery.claimLeaseMs,
    now: clock,
  };
  const recordRoutes = routes.filter((r) => r.kind === 'record');
  const responder: ResponderDeps = {
    approvals,
    allowlists: [],
    ec2: liveRevertApi(),
    requeue: schedule.send,
    account: ACCOUNT,
    maxDelaySeconds: 0,
    now: clock,
    record: async (f) => void (await deliverFindings(f, approvals, { ...delivery, routes: recordRoutes })),
    deliverCloses: async (f) => void (await deliverFindings(f, approvals, delivery)),
    stillThere: async () => {
      const item = (await store.load('eu-west-1', [{ kind: 'security-group', id: GROUP }])).get(GROUP);
      return item === undefined ? undefined : item.exposures.some((e) => e.kind === 'sg-ingress');
    },
    applyRevert: async (change) => {
      const result = emptyClassified();
      await judgeStateful(change, { file: change.id }, { rules: RULES, context: EMPTY_CONTEXT, state: engine }, result);
      return result.findings.filter((f) => f.episode?.state === 'closed');
    },
  };
  /** The ingest function's path for one record: classify with state, plan, deliver, schedule. */
  const ingest = async (value: unknown) => {
    const classified = await classifyValueAsync(
      value,
      { file: 'event' },
      { rules: RULES, context: EMPTY_CONTEXT, state: engine },
    );
    const findings = planResponses(classified.findings, full, clock());
    const outcomes = await deliverFindings(findings, approvals, delivery);
    return { findings, outcomes, scheduled: await scheduleResponses(outcomes, schedule) };
  };
  /** What the respond function's event source mapping would hand it: the requests now visible on the queue. */
  const poll = async (): Promise<RevertRequest[]> => {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return (got.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as RevertRequest);
  };
  const at = (minutes: number) => {
    now = T0 + minutes * MIN;
  };
  return { engine, store, paging, changes, approvals, delivery, ingest, poll, responder, at, policy: full };
}

const records = (sink: MemorySink) =>
  sink.delivered.filter((f) => f.response !== undefined && f.title.startsWith('Netwatch response'));

describe('opt-in response (fauxqs queue, EC2 mocked at the SDK boundary)', () => {
  it('an unapproved world-open rule: the page says what will be reverted; after the grace period exactly that rule is revoked, recorded, and the episode resolved', async () => {
    // Prepare
    const w = world();
    const { findings, scheduled } = await w.ingest(sshEvent());
    const paged = w.paging.delivered.find((f) => f.ruleId === 'sg-open-world');
    // Assess the page
    expect(paged?.response).toMatchObject({ action: 'scheduled', mode: 'enforce', dueAt: '2030-03-02T10:15:30.000Z' });
    expect(paged?.why).toContain(
      `response: will revert at 2030-03-02T10:15:30.000Z unless an approval arrives: RevokeSecurityGroupIngress ${GROUP} tcp/22 from 0.0.0.0/0 (sgr-0a1b2c3d4e5f60718)`,
    );
    expect(scheduled.scheduled).toEqual([findings.find((f) => f.ruleId === 'sg-open-world')?.fingerprint]);
    // Act: the grace period ends.
    w.at(16);
    const [request, ...more] = await w.poll();
    expect(more).toEqual([]);
    const outcome = await respond(request!, w.responder);
    // Assess: exactly the rule the change added, by its id; recorded with the call and its result; episode closed.
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input)).toEqual([
      {
        GroupId: GROUP,
        SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60718'],
      } satisfies RevokeSecurityGroupIngressCommandInput,
    ]);
    expect(outcome.action).toBe('reverted');
    const [record] = records(w.changes);
    expect(record?.response).toEqual({
      action: 'reverted',
      mode: 'enforce',
      dueAt: '2030-03-02T10:15:30.000Z',
      calls: [`RevokeSecurityGroupIngress ${GROUP} tcp/22 from 0.0.0.0/0 (sgr-0a1b2c3d4e5f60718)`],
      result: `RevokeSecurityGroupIngress ${GROUP} tcp/22 from 0.0.0.0/0 (sgr-0a1b2c3d4e5f60718): done (request ec2-req-1)`,
    });
    expect(outcome.closes.map((f) => `${f.ruleId} ${f.episode?.state}`)).toEqual(['sg-open-world closed']);
    // The close took the resolve path: the page's route asks for "resolved", change management recorded it.
    expect(w.paging.delivered.filter((f) => f.episode?.state === 'closed').map((f) => f.ruleId)).toEqual([
      'sg-open-world',
    ]);
    expect((await w.engine.store.openEpisodes()).length).toBe(0);
  });

  it('the race: an approval arriving during the grace period wins — nothing is revoked, and the record says why', async () => {
    const w = world();
    await w.ingest(sshEvent('b1c2d3e4-0002-4a5b-8c7d-9e0f1a2b3c4d'));
    // Act: 10 minutes later the change-management system approves the change (its window covers the change time).
    w.at(10);
    w.approvals.list.push({
      ticket: 'CHG0042001',
      windowStart: '2030-03-02T09:30:00Z',
      windowEnd: '2030-03-02T11:00:00Z',
      accounts: [ACCOUNT],
      categories: ['sg-open-world'],
      source: 'dynamodb',
    } as Approval);
    w.at(16);
    const [request] = await w.poll();
    const outcome = await respond(request!, w.responder);
    // Assess
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(outcome.action).toBe('not-reverted');
    expect(records(w.changes)[0]?.response?.result).toMatch(
      /^not reverted: approved change CHG0042001 .*\(it arrived during the grace period\)$/,
    );
    expect((await w.engine.store.openEpisodes()).length).toBe(1);
  });

  it('woken before the grace period ends (a grace longer than SQS delays): queued again, nothing done', async () => {
    const w = world();
    await w.ingest(sshEvent('b1c2d3e4-0003-4a5b-8c7d-9e0f1a2b3c4d'));
    w.at(5);
    const [early] = await w.poll();
    expect((await respond(early!, w.responder)).action).toBe('waiting');
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    // The request is back on the queue; at the end of the grace period it is acted on.
    w.at(16);
    const [again] = await w.poll();
    expect(again?.fingerprint).toBe(early?.fingerprint);
    expect((await respond(again!, w.responder)).action).toBe('reverted');
  });

  it('dry run (the default): the page says what would be reverted; the record says it, nothing is called', async () => {
    const w = world({ dryRun: true });
    await w.ingest(sshEvent('b1c2d3e4-0004-4a5b-8c7d-9e0f1a2b3c4d'));
    expect(w.paging.delivered[0]?.response?.action).toBe('would-revert');
    expect(w.paging.delivered[0]?.why.some((l) => l.startsWith('response (dry run): would revert at'))).toBe(true);
    w.at(16);
    const [request] = await w.poll();
    const outcome = await respond(request!, w.responder);
    expect(outcome.action).toBe('would-revert');
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(records(w.changes)[0]?.response?.result).toContain('dry run: would have called RevokeSecurityGroupIngress');
  });

  it('a revert EC2 refuses is recorded as failed with its error; the episode stays open', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const w = world();
    await w.ingest(sshEvent('b1c2d3e4-0005-4a5b-8c7d-9e0f1a2b3c4d'));
    w.at(16);
    const [request] = await w.poll();
    const outcome = await respond(request!, w.responder);
    expect(outcome.action).toBe('failed');
    // Counted as a denied call (the function's aws-calls-denied alarm pages on the first).
    expect(outcome.denied).toBe(1);
    expect(records(w.changes)[0]?.response?.result).toContain('UnauthorizedOperation: You are not authorized');
    expect((await w.engine.store.openEpisodes()).length).toBe(1);
  });

  it('a redelivered record queues no second request; a rule revoked by hand meanwhile is left alone', async () => {
    const w = world();
    const event = sshEvent('b1c2d3e4-0006-4a5b-8c7d-9e0f1a2b3c4d');
    await w.ingest(event);
    const again = await w.ingest(structuredClone(event));
    expect(again.scheduled.scheduled).toEqual([]);
    // Someone revokes it by hand before the grace period ends.
    w.at(3);
    await w.ingest({
      ...sshEvent('b1c2d3e4-0007-4a5b-8c7d-9e0f1a2b3c4d'),
      eventName: 'RevokeSecurityGroupIngress',
      eventTime: '2030-03-02T10:03:00Z',
    });
    w.at(16);
    const requests = await w.poll();
    expect(requests).toHaveLength(1);
    const outcome = await respond(requests[0]!, w.responder);
    expect(outcome.action).toBe('not-reverted');
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('an internet-gateway default route is deleted (the route the change created, nothing else)', async () => {
    ec2.on(DeleteRouteCommand).resolves({ $metadata: { requestId: 'ec2-req-2' } });
    const w = world();
    const route = {
      ...sshEvent('b1c2d3e4-0008-4a5b-8c7d-9e0f1a2b3c4d'),
      eventName: 'CreateRoute',
      requestParameters: {
        routeTableId: 'rtb-0a1b2c3d4e5f60718',
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0a1b2c3d4e5f60718',
      },
    };
    const { findings } = await w.ingest(route);
    expect(findings.find((f: Finding) => f.ruleId === 'route-to-igw')?.response?.calls).toEqual([
      'DeleteRoute rtb-0a1b2c3d4e5f60718 0.0.0.0/0 (to igw-0a1b2c3d4e5f60718)',
    ]);
    w.at(16);
    const [request] = await w.poll();
    expect((await respond(request!, w.responder)).action).toBe('reverted');
    expect(ec2.commandCalls(DeleteRouteCommand).map((c) => c.args[0].input)).toEqual([
      { RouteTableId: 'rtb-0a1b2c3d4e5f60718', DestinationCidrBlock: '0.0.0.0/0' },
    ]);
  });
});
