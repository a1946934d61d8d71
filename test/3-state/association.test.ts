import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { MemoryStateStore } from '../../shared/3-state/memory-store.ts';
import { classifyValueAsync, type ClassifyDeps } from '../../shared/4-classify/classify.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { publicCidrs } from '../../shared/net/cidr.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { REPO_ROOT } from '../support/corpus.ts';
import {
  ACCOUNT,
  ALLOW_ALL,
  eni,
  igw,
  nacl,
  REGION,
  routeTable,
  securityGroup,
  subnet,
  type ConfigItem,
} from '../support/topology.ts';

/**
 * Exposure by association, end to end through the state step: topologies arrive as AWS Config items (the
 * ConfigurationItemChangeNotification each resource's discovery sends), changes as CloudTrail records; each is
 * classified as the functions do (classifyValueAsync with the kept state), and the findings are read as a responder
 * would: severity, summary, why.
 */

const IGW = 'igw-0a1b2c3d4e5f60718';
const PUB = 'subnet-0aaa0000000000001';
const PRIV = 'subnet-0bbb0000000000002';
const RTB_PUB = 'rtb-0aaa0000000000001';
const RTB_PRIV = 'rtb-0bbb0000000000002';
const ACL = 'acl-0aaa0000000000001';
const SSH = 'sg-0aaa0000000000022';
const WEB = 'sg-0ccc0000000000443';
const ENI_PUB = 'eni-0aaa0000000000001';
const ENI_PRIV = 'eni-0bbb0000000000002';

/** The Config notification of a discovered item. */
function discovered(item: ConfigItem): Record<string, unknown> {
  return {
    messageType: 'ConfigurationItemChangeNotification',
    notificationCreationTime: item.configurationItemCaptureTime,
    recordVersion: '1.3',
    configurationItemDiff: { changedProperties: {}, changeType: 'CREATE' },
    configurationItem: { ...item, configurationItemStatus: 'ResourceDiscovered', configurationItemVersion: '1.3' },
  };
}

let counter = 0;
/** A CloudTrail record of an EC2 call (real field layout), minutes after 09:00Z. */
function call(eventName: string, request: Record<string, unknown>, response: Record<string, unknown>, minute: number) {
  counter += 1;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/NetworkAdmin/alice@example.com`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAYEXAMPLEKEY12345',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/NetworkAdmin`, accountId: ACCOUNT },
      },
    },
    eventTime: new Date(Date.parse('2026-03-02T09:00:00Z') + minute * 60_000).toISOString().replace('.000', ''),
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.77',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: request,
    responseElements: { requestId: `req-${counter}`, _return: true, ...response },
    requestID: `req-${counter}`,
    eventID: `0d7e2f4a-${String(counter).padStart(4, '0')}-4b5c-9d6e-7f8a9b0c1d2e`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

function topologyItems(options: { sshEnis?: string[]; publicIp?: boolean } = {}): ConfigItem[] {
  return [
    igw(IGW),
    subnet(PUB),
    subnet(PRIV),
    routeTable(RTB_PUB, [['0.0.0.0/0', IGW]], [PUB]),
    routeTable(RTB_PRIV, [['0.0.0.0/0', 'nat-0c1d2e3f4a5b60718']], [PRIV], { main: true }),
    nacl(ACL, ALLOW_ALL, [PUB, PRIV]),
    securityGroup(SSH, [['tcp', 22, 22, '0.0.0.0/0']], { enis: options.sshEnis ?? [] }),
    securityGroup(WEB, [['tcp', 443, 443, '10.0.0.0/16']]),
    eni(
      ENI_PUB,
      PUB,
      [WEB],
      options.publicIp === false ? {} : { publicIp: '54.217.10.20', instanceId: 'i-0aaa0000000000001' },
    ),
    eni(ENI_PRIV, PRIV, [WEB], { instanceId: 'i-0bbb0000000000002' }),
  ];
}

async function world(items: ConfigItem[], complete = true) {
  const store = new MemoryStateStore();
  const engine = new StateEngine({ store });
  const deps: ClassifyDeps = { rules: RULES, context: EMPTY_CONTEXT, state: engine };
  const run = async (value: unknown): Promise<Finding[]> => {
    const result = await classifyValueAsync(value, { file: 'test' }, deps);
    if (result.errors.length) throw result.errors[0];
    return result.findings;
  };
  if (complete)
    await store.setInventory({
      region: REGION,
      account: ACCOUNT,
      firstAt: '2026-03-02T08:00:00Z',
      at: '2026-03-02T08:00:00Z',
      counts: {},
    });
  const seeded: Finding[] = [];
  for (const item of items) seeded.push(...(await run(discovered(item))));
  return { store, engine, run, seeded };
}

const line = (f: Finding) => `${f.severity} ${f.ruleId} ${f.resource.id}`;

describe('exposure by association (state step, Config items + CloudTrail)', () => {
  it('a world-open group attached to nothing is lowered one grade, with the missing link named', async () => {
    const { seeded } = await world(topologyItems());
    const ssh = seeded.find((f) => f.ruleId === 'sg-open-world');
    expect(ssh && line(ssh)).toBe(`medium sg-open-world ${SSH}`);
    expect(ssh?.reach?.verdict).toBe('unreachable');
    expect(ssh?.why).toContain(
      `lowered: not reachable from the internet now: ${SSH} is attached to no network interface; the change that completes the path is reported on its own (internet-path)`,
    );
  });

  it('a group the state has never seen keeps its grade and says what is not known', async () => {
    // Prepare: nothing kept, no inventory; the bundled CloudTrail record opening tcp/22 to the world.
    const { run } = await world([], false);
    const record = JSON.parse(
      readFileSync(join(REPO_ROOT, 'events', 'cloudtrail', 'authorize-sg-ingress-ssh-world.json'), 'utf8'),
    ) as unknown;
    // Act
    const ssh = (await run(record)).find((f) => f.ruleId === 'sg-open-world');
    // Assess: not lowered; one line, naming the unknown as unknown (it once said "is attached to no network
    // interface" and then "assumed (not known …)" about the same thing).
    expect(ssh && line(ssh)).toBe('high sg-open-world sg-0a1b2c3d4e5f60718');
    expect(ssh?.reach?.verdict).toBe('unknown');
    expect(ssh?.why.filter((w) => w.includes('reachab'))).toEqual([
      'reachability not known, so counted as reachable: no network interface is known to use sg-0a1b2c3d4e5f60718',
    ]);
  });

  it('an interface with a public IP joins the group (ModifyNetworkInterfaceAttribute): the new path pages and is named', async () => {
    // Prepare
    const { run } = await world(topologyItems());
    // Act
    const findings = await run(
      call(
        'ModifyNetworkInterfaceAttribute',
        { networkInterfaceId: ENI_PUB, groupSet: { items: [{ groupId: WEB }, { groupId: SSH }] } },
        {},
        10,
      ),
    );
    // Assess
    const path = findings.find((f) => f.ruleId === 'internet-path');
    expect(path && line(path)).toBe(`high internet-path ${ENI_PUB}`);
    expect(path?.summary).toBe(
      `${ENI_PUB} in ${PUB} now reachable from the IPv4 internet on tcp/22: ${SSH} allows tcp/22 from 0.0.0.0/0, ${ENI_PUB} has public IP 54.217.10.20, route table ${RTB_PUB} sends 0.0.0.0/0 -> ${IGW}, ${IGW} is attached to vpc-0a1b2c3d4e5f60718, network ACL ${ACL} allows it in (rule #100), network ACL ${ACL} lets the replies out (rule #100) (joined security groups ${SSH}, ${WEB})`,
    );
    expect(path?.episode?.state).toBe('open');
    expect(path?.evidence[0]).toMatchObject({ kind: 'binding', before: { kind: 'security-groups', groupIds: [WEB] } });
  });

  it('an interface in the private (NAT) subnet joining the group opens no path; moving its subnet to the public table does (ReplaceRouteTableAssociation)', async () => {
    const { run } = await world(topologyItems());
    // Act 1: the private interface joins the ssh group.
    const joined = await run(
      call(
        'ModifyNetworkInterfaceAttribute',
        { networkInterfaceId: ENI_PRIV, groupSet: { items: [{ groupId: SSH }] } },
        {},
        10,
      ),
    );
    // The private interface has no public IP: no path, only the change record.
    expect(joined.map(line)).toEqual([`info network-change ${ENI_PRIV}`]);
    // Act 2: it gets an Elastic IP — still behind the NAT route: no path.
    const eip = await run(
      call(
        'AssociateAddress',
        { allocationId: 'eipalloc-0b1c2d3e4f5a60718', networkInterfaceId: ENI_PRIV },
        { associationId: 'eipassoc-0b1c2d3e4f5a60718' },
        11,
      ),
    );
    expect(eip.map(line)).toEqual([`info network-change ${ENI_PRIV}`]);
    // Act 3: the private subnet is moved to the public table (the call names only the association id).
    const moved = await run(
      call(
        'ReplaceRouteTableAssociation',
        { associationId: 'rtbassoc-0bbb0000000000000', routeTableId: RTB_PUB },
        { newAssociationId: 'rtbassoc-0aaa0000000000000001' },
        12,
      ),
    );
    // Assess: the association resolved to the subnet; the interface's path opened.
    const path = moved.find((f) => f.ruleId === 'internet-path');
    expect(path && line(path)).toBe(`high internet-path ${ENI_PRIV}`);
    expect(path?.summary).toContain(`${ENI_PRIV} in ${PRIV} now reachable from the IPv4 internet on tcp/22`);
    expect(path?.summary).toContain(`(its subnet ${PRIV} was associated with ${RTB_PUB})`);
  });

  it('an Elastic IP completes the path (AssociateAddress); releasing it closes the path (DisassociateAddress by association id)', async () => {
    // Prepare: the public interface is in the ssh group but has no public IP.
    const { run, seeded } = await world(topologyItems({ publicIp: false }));
    const joined = await run(
      call(
        'ModifyNetworkInterfaceAttribute',
        { networkInterfaceId: ENI_PUB, groupSet: { items: [{ groupId: SSH }] } },
        {},
        10,
      ),
    );
    expect(seeded.find((f) => f.ruleId === 'sg-open-world')?.severity).toBe('medium');
    expect(joined.map(line)).toEqual([`info network-change ${ENI_PUB}`]);
    // Act
    const attached = await run(
      call(
        'AssociateAddress',
        { allocationId: 'eipalloc-0c1d2e3f4a5b60718', networkInterfaceId: ENI_PUB, allowReassociation: true },
        { associationId: 'eipassoc-0d1e2f3a4b5c60718' },
        11,
      ),
    );
    const released = await run(call('DisassociateAddress', { associationId: 'eipassoc-0d1e2f3a4b5c60718' }, {}, 12));
    // Assess
    const opened = attached.find((f) => f.ruleId === 'internet-path');
    expect(opened && line(opened)).toBe(`high internet-path ${ENI_PUB}`);
    expect(opened?.summary).toContain('(got Elastic IP eipalloc-0c1d2e3f4a5b60718)');
    const closed = released.find((f) => f.ruleId === 'internet-path');
    expect(closed?.episode?.state).toBe('closed');
    expect(closed?.episode?.id).toBe(opened?.episode?.id);
    expect(closed?.severity).toBe('info');
  });

  it('ModifyInstanceAttribute names the instance: its primary interface is resolved from the kept state', async () => {
    const { run } = await world(topologyItems());
    const findings = await run(
      call(
        'ModifyInstanceAttribute',
        { instanceId: 'i-0aaa0000000000001', groupSet: { items: [{ groupId: SSH }] } },
        {},
        10,
      ),
    );
    const path = findings.find((f) => f.ruleId === 'internet-path');
    expect(path && line(path)).toBe('high internet-path i-0aaa0000000000001');
    expect(path?.summary).toContain(`${ENI_PUB} in ${PUB} now reachable`);
  });

  it('opening the hole itself pages once: the group rule, raised one grade (a known path), and the path as info', async () => {
    // Prepare: the public interface already sits in the web group.
    const { run } = await world(topologyItems());
    // Act: the web group opens 443 to the world.
    const findings = await run(
      call(
        'AuthorizeSecurityGroupIngress',
        {
          groupId: WEB,
          ipPermissions: {
            items: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
          },
        },
        {},
        10,
      ),
    );
    // Assess
    // https (web) is medium; known reachable through a whole path, one grade higher.
    expect(findings.map(line).sort()).toEqual([`high sg-open-world ${WEB}`, `info internet-path ${ENI_PUB}`]);
    const group = findings.find((f) => f.ruleId === 'sg-open-world');
    expect(group?.why.find((w) => w.startsWith('raised: reachable from the internet now'))).toContain(
      `${ENI_PUB} in ${PUB} reachable from the IPv4 internet on tcp/443`,
    );
  });

  it('a redelivered ReplaceRouteTableAssociation is judged the same (the resolution is kept)', async () => {
    const { run } = await world(topologyItems({ sshEnis: [] }));
    await run(
      call(
        'ModifyNetworkInterfaceAttribute',
        { networkInterfaceId: ENI_PRIV, groupSet: { items: [{ groupId: SSH }] } },
        {},
        10,
      ),
    );
    await run(
      call(
        'AssociateAddress',
        { allocationId: 'eipalloc-0b1c2d3e4f5a60718', networkInterfaceId: ENI_PRIV },
        { associationId: 'eipassoc-0b1c2d3e4f5a60718' },
        11,
      ),
    );
    const record = call(
      'ReplaceRouteTableAssociation',
      { associationId: 'rtbassoc-0bbb0000000000000', routeTableId: RTB_PUB },
      { newAssociationId: 'rtbassoc-0aaa0000000000000001' },
      12,
    );
    // Act
    const first = await run(record);
    const again = await run(structuredClone(record));
    // Assess
    expect(again.map((f) => f.fingerprint).sort()).toEqual(first.map((f) => f.fingerprint).sort());
    expect(again.some((f) => f.ruleId === 'internet-path' && f.severity === 'high')).toBe(true);
  });

  it('a subnet switched to public IPs on launch: as today behind an internet-gateway route, one grade lower behind NAT', async () => {
    const { run } = await world(topologyItems());
    const pub = await run(
      call('ModifySubnetAttribute', { subnetId: PUB, mapPublicIpOnLaunch: { value: true } }, {}, 10),
    );
    const priv = await run(
      call('ModifySubnetAttribute', { subnetId: PRIV, mapPublicIpOnLaunch: { value: true } }, {}, 11),
    );
    expect(pub.map(line)).toEqual([`medium subnet-public-ip ${PUB}`]);
    expect(priv.map(line)).toEqual([`low subnet-public-ip ${PRIV}`]);
    expect(priv[0]?.why.join('\n')).toContain(`route table ${RTB_PRIV} sends 0.0.0.0/0 to nat-0c1d2e3f4a5b60718`);
  });

  it('without a complete inventory, a group with no known interface keeps its grade (unknown counts as reachable)', async () => {
    const { seeded } = await world(topologyItems(), false);
    const ssh = seeded.find((f) => f.ruleId === 'sg-open-world');
    // The group's own Config item names no interface: that is a known "attached to nothing".
    expect(ssh?.severity).toBe('medium');
    // A CloudTrail opening of a group never seen by Config: nothing known about its interfaces.
    const { run } = await world([], false);
    const findings = await run(
      call(
        'AuthorizeSecurityGroupIngress',
        {
          groupId: 'sg-0ddd0000000000099',
          ipPermissions: {
            items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
          },
        },
        {},
        10,
      ),
    );
    expect(findings.map(line)).toEqual(['high sg-open-world sg-0ddd0000000000099']);
    expect(findings[0]?.reach?.verdict).toBe('unknown');
  });

  it('a group on more interfaces than one question reads: unchecked ones count as reachable (no downgrade)', async () => {
    // Prepare: the ssh group on private (NAT-routed) interfaces only — 10 of them, then 60 (over the cap of 50).
    const group = (n: number) => {
      const enis = Array.from({ length: n }, (_, i) => `eni-0ddd${String(i).padStart(13, '0')}`);
      const base = topologyItems().filter((i) => i.resourceId !== SSH);
      return [
        ...base,
        ...enis.map((id) => eni(id, PRIV, [SSH])),
        securityGroup(SSH, [['tcp', 22, 22, '0.0.0.0/0']], { enis }),
      ];
    };
    // Act
    const few = (await world(group(10))).seeded.find((f) => f.ruleId === 'sg-open-world');
    const many = (await world(group(60))).seeded.find((f) => f.ruleId === 'sg-open-world');
    // Assess: every interface read and none reachable → one grade lower; 10 not read → not lowered.
    expect(few?.reach?.verdict).toBe('unreachable');
    expect(few?.severity).toBe('medium');
    expect(many?.reach?.verdict).toBe('unknown');
    expect(many?.reach?.assumed).toContain('10 more interfaces not checked');
    expect(many?.severity).toBe('high');
  });
});

describe('reachability composes with the public internet of shared/net/special-purpose.ts (issues 12 and 17)', () => {
  /** Every public IPv4 block, private and reserved space left out: the whole internet by issue 12's definition. */
  const worldEquivalent = (port: number): [string, number, number, string][] =>
    publicCidrs(4).map((c) => ['tcp', port, port, c]);

  it('a world-equivalent range on a group attached to nothing is graded as the internet, then one grade lower with the missing link named', async () => {
    // Prepare / Act: the group's Config item (ssh from every public IPv4 block), attached to no interface.
    const items = topologyItems().map((i) =>
      i.resourceId === SSH ? securityGroup(SSH, worldEquivalent(22), { enis: [] }) : i,
    );
    const { seeded } = await world(items);
    // Assess: graded as ssh from the whole internet (high), lowered to medium because nothing is reachable through it.
    const ssh = seeded.find((f) => f.ruleId === 'sg-open-world');
    expect(ssh && line(ssh)).toBe(`medium sg-open-world ${SSH}`);
    expect(ssh?.summary).toMatch(new RegExp(`^tcp/22 open to 1\\.0\\.0\\.0/8 \\+ .* on ${SSH} `));
    expect(ssh?.why.some((w) => w.includes('every public IPv4 address'))).toBe(true);
    expect(ssh?.reach?.verdict).toBe('unreachable');
    expect(ssh?.why).toContain(
      `lowered: not reachable from the internet now: ${SSH} is attached to no network interface; the change that completes the path is reported on its own (internet-path)`,
    );
  });

  it('the same range on an interface in the private (NAT) subnet stays one grade lower, the missing public address named; with a public interface it is one higher', async () => {
    // Prepare: the private interface uses the world-equivalent group; the group's item comes after the interfaces'
    // (before them, its interface is not known yet: unknown counts as reachable and the grade stays).
    const privateOnly = [
      ...topologyItems()
        .filter((i) => i.resourceId !== SSH)
        .map((i) =>
          i.resourceId === ENI_PRIV ? eni(ENI_PRIV, PRIV, [SSH], { instanceId: 'i-0bbb0000000000002' }) : i,
        ),
      securityGroup(SSH, worldEquivalent(22), { enis: [ENI_PRIV] }),
    ];
    const behindNat = (await world(privateOnly)).seeded.filter((f) => f.ruleId === 'sg-open-world').at(-1);
    // Assess: unreachable, the first missing link named (no public address), one grade lower.
    expect(behindNat && line(behindNat)).toBe(`medium sg-open-world ${SSH}`);
    expect(behindNat?.reach).toMatchObject({ verdict: 'unreachable' });
    expect(behindNat?.why.find((w) => w.startsWith('lowered: not reachable'))).toContain(
      `${ENI_PRIV} has no public IPv4 address or Elastic IP (private only)`,
    );
    // Prepare: now the public interface (public IP, IGW route) uses it instead.
    const publicToo = [
      ...topologyItems()
        .filter((i) => i.resourceId !== SSH)
        .map((i) =>
          i.resourceId === ENI_PUB
            ? eni(ENI_PUB, PUB, [SSH], { publicIp: '54.217.10.20', instanceId: 'i-0aaa0000000000001' })
            : i,
        ),
      securityGroup(SSH, worldEquivalent(22), { enis: [ENI_PUB] }),
    ];
    const reachable = (await world(publicToo)).seeded.filter((f) => f.ruleId === 'sg-open-world').at(-1);
    // Assess: reachable through a whole known path, one grade higher (high → critical), the path named.
    expect(reachable && line(reachable)).toBe(`critical sg-open-world ${SSH}`);
    expect(reachable?.why.find((w) => w.startsWith('raised: reachable from the internet now'))).toContain(
      `${ENI_PUB} has public IP 54.217.10.20`,
    );
  });

  it('a route sending part of the public internet to the gateway, on a table no subnet uses, is lowered one grade with the missing link named', async () => {
    // Prepare / Act: a table routing half of the IPv4 space (0.0.0.0/1) to the internet gateway, associated with nothing.
    const half = routeTable('rtb-0ddd0000000000004', [['0.0.0.0/1', IGW]], []);
    const { seeded } = await world([...topologyItems(), half]);
    // Assess: graded by the public share it routes (issue 12), then lowered: nothing sits behind the table.
    const route = seeded.find((f) => f.ruleId === 'route-to-igw' && f.resource.id === 'rtb-0ddd0000000000004');
    expect(route).toBeDefined();
    expect(route?.reach?.verdict).toBe('unreachable');
    expect(route?.why).toContain(
      'lowered: not reachable from the internet now: rtb-0ddd0000000000004 is associated with no subnet; the change that completes the path is reported on its own (internet-path)',
    );
    expect(route?.why.some((w) => /public IPv4 internet|share/i.test(w))).toBe(true);
  });
});
