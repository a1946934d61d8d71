import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { type Payload, unwrap } from '../../shared/1-ingest/envelope/unwrap.ts';
import { classifyPayload, emptyClassified } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { corpusInput, loadCorpus } from '../support/corpus.ts';
import { cloudTrailRecord, configMessage, fuzzRuns } from '../fuzz/arbitraries.ts';

/**
 * Parse liberally, judge strictly: a field the decision does not read never changes a verdict and never makes an
 * error. The decision reads the fields listed in DECISION (what the rules, the severity adjustments and the approval
 * window need: the call or item, its request / configuration, its time, its actor and account); deleting any other
 * field — at any depth — of any sample in events/, any case of the corpus, or any generated record must leave the
 * findings (rule, severity) exactly as they were and produce no error.
 */
type Path = (string | number)[];
type Body = Record<string, unknown>;

/** Decision fields per payload kind (dotted, list indices left out). An ancestor of one is a decision field too. */
const DECISION: Record<'cloudtrail' | 'config', readonly string[]> = {
  cloudtrail: [
    'eventSource',
    'eventName',
    'errorCode',
    'eventType',
    'eventCategory',
    'eventTime',
    'requestParameters',
    'responseElements',
    'recipientAccountId',
    'userIdentity.type',
    'userIdentity.arn',
    'userIdentity.accessKeyId',
    'userIdentity.accountId',
    'userIdentity.sessionContext.sessionIssuer.arn',
  ],
  config: [
    'messageType',
    // item changes (and rule invocations)
    'configurationItem.resourceType',
    'configurationItem.resourceId',
    'configurationItem.configurationItemCaptureTime',
    'configurationItem.configurationItemStatus',
    'configurationItem.configuration',
    'configurationItem.supplementaryConfiguration',
    'configurationItem.relationships',
    'configurationItem.awsAccountId',
    'configurationItem.accountId',
    'configurationItemDiff',
    // oversized items
    'configurationItemSummary.resourceType',
    'configurationItemSummary.resourceId',
    'configurationItemSummary.configurationItemCaptureTime',
    'configurationItemSummary.configurationItemStatus',
    'configurationItemSummary.awsAccountId',
    // compliance changes
    'configRuleName',
    'resourceType',
    'resourceId',
    'awsAccountId',
    'newEvaluationResult.complianceType',
    'newEvaluationResult.resultRecordedTime',
    'newEvaluationResult.evaluationResultIdentifier.orderingTimestamp',
    'notificationCreationTime',
    'oldEvaluationResult.complianceType',
  ],
};

const dotted = (path: Path) => path.filter((p) => typeof p === 'string').join('.');

/** True when deleting `path` may change the decision: it is, holds or lies under a decision field. */
function isDecision(kind: 'cloudtrail' | 'config', path: Path): boolean {
  const p = dotted(path);
  return DECISION[kind].some((d) => p === d || p.startsWith(`${d}.`) || d.startsWith(`${p}.`) || p === '');
}

function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value))
    for (const [i, v] of value.entries()) {
      out.push([...prefix, i]);
      allPaths(v, [...prefix, i], out);
    }
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      allPaths(v, [...prefix, k], out);
    }
  return out;
}

function without(body: Body, path: Path): Body {
  const copy = structuredClone(body);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else delete (node as Record<string, unknown>)[String(last)];
  return copy;
}

type Judged = Payload & { kind: 'cloudtrail' | 'config' };
const bodyOf = (p: Judged): Body => (p.kind === 'cloudtrail' ? p.record : p.message);
const withBody = (p: Judged, body: Body): Judged =>
  p.kind === 'cloudtrail' ? { ...p, record: body } : { ...p, message: body };

/** The verdict: findings as rule:severity (sorted), and the errors. */
function verdict(p: Judged): { findings: string; errors: string[] } {
  const result = emptyClassified();
  classifyPayload(p, { rules: RULES, context: EMPTY_CONTEXT }, result);
  return {
    findings: result.findings
      .map((f) => `${f.ruleId}:${f.severity}`)
      .sort()
      .join(','),
    errors: result.errors.map((e) => e.describe()),
  };
}

function payloadsOf(name: string, value: unknown): Judged[] {
  return unwrap(value, { file: name }).filter((p): p is Judged => p.kind === 'cloudtrail' || p.kind === 'config');
}

const root = join(import.meta.dirname, '..', '..');
function inputs(): { name: string; payload: Judged }[] {
  const out: { name: string; payload: Judged }[] = [];
  for (const dir of ['cloudtrail', 'config'])
    for (const f of readdirSync(join(root, 'events', dir)).filter((n) => n.endsWith('.json'))) {
      const name = `events/${dir}/${f}`;
      for (const payload of payloadsOf(name, JSON.parse(readFileSync(join(root, 'events', dir, f), 'utf8'))))
        out.push({ name, payload });
    }
  for (const c of loadCorpus())
    for (const payload of payloadsOf(c.id, corpusInput(c))) out.push({ name: c.id, payload });
  return out;
}

/** Every non-decision deletion of a payload whose verdict or errors differ from the original's. */
function violations(name: string, payload: Judged): string[] {
  const base = verdict(payload);
  if (base.errors.length > 0) return [];
  const body = bodyOf(payload);
  const out: string[] = [];
  for (const path of allPaths(body)) {
    if (isDecision(payload.kind, path)) continue;
    const after = verdict(withBody(payload, without(body, path)));
    if (after.errors.length > 0 || after.findings !== base.findings)
      out.push(
        `${name}: deleting ${path.join('.')} → ${after.errors.length ? `error ${after.errors[0]}` : `findings ${after.findings || '(none)'} instead of ${base.findings || '(none)'}`}`,
      );
  }
  return out;
}

describe('liberal parsing: fields the decision does not read never change a verdict or make an error', () => {
  const all = inputs();

  it('the samples and the corpus judge without errors, and both sources are covered', () => {
    expect(all.filter(({ payload }) => verdict(payload).errors.length > 0).map((i) => i.name)).toEqual([]);
    expect(new Set(all.map((i) => i.payload.kind))).toEqual(new Set(['cloudtrail', 'config']));
  });

  it('every non-decision field of every sample and corpus case can be deleted (each one, at any depth)', () => {
    let deletions = 0;
    const found: string[] = [];
    for (const { name, payload } of all) {
      deletions += allPaths(bodyOf(payload)).filter((p) => !isDecision(payload.kind, p)).length;
      found.push(...violations(name, payload));
    }
    expect(found).toEqual([]);
    expect(deletions).toBeGreaterThan(1000);
  });

  it('generated records: deleting a non-decision field never changes the verdict or makes an error', () => {
    fc.assert(
      fc.property(fc.oneof(cloudTrailRecord, configMessage), fc.nat(), (value, pick) => {
        for (const payload of payloadsOf('generated', value)) {
          if (verdict(payload).errors.length > 0) continue;
          const body = bodyOf(payload);
          const candidates = allPaths(body).filter((p) => !isDecision(payload.kind, p));
          const path = candidates[pick % Math.max(1, candidates.length)];
          if (path === undefined) continue;
          const base = verdict(payload);
          const after = verdict(withBody(payload, without(body, path)));
          expect(after.errors, `deleting ${path.join('.')}`).toEqual([]);
          expect(after.findings, `deleting ${path.join('.')}`).toBe(base.findings);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('the decision fields are what decides: deleting one can change the verdict (the property is not vacuous)', () => {
    const ssh = all.find((i) => i.name.endsWith('authorize-sg-ingress-ssh-world.json'));
    expect(ssh).toBeDefined();
    if (!ssh) return;
    const body = bodyOf(ssh.payload);
    expect(verdict(ssh.payload).findings).toContain('sg-open-world');
    expect(verdict(withBody(ssh.payload, { ...body, errorCode: 'Client.UnauthorizedOperation' })).findings).toBe('');
    expect(isDecision('cloudtrail', ['requestParameters', 'ipPermissions'])).toBe(true);
    expect(isDecision('cloudtrail', ['eventID'])).toBe(false);
  });
});

describe('stand-ins for missing fields', () => {
  const read = (dir: string, file: string) =>
    JSON.parse(readFileSync(join(root, 'events', dir, file), 'utf8')) as Record<string, unknown>;
  const classify = (value: unknown) => {
    const result = emptyClassified();
    for (const p of payloadsOf('t', value)) classifyPayload(p, { rules: RULES, context: EMPTY_CONTEXT }, result);
    return result;
  };

  it('a documentation-style CloudTrail record without eventID gets a deterministic id derived from the record', () => {
    // Prepare
    const record = read('cloudtrail', 'authorize-sg-ingress-ssh-world.json');
    delete record['eventID'];
    // Act
    const first = classify(record);
    const again = classify(structuredClone(record));
    const other = classify({ ...record, requestID: 'another-request' });
    // Assess
    const id = first.changes[0]?.id;
    expect(id).toMatch(/^derived-[0-9a-f]{32}$/);
    expect(again.changes[0]?.id).toBe(id);
    expect(other.changes[0]?.id).not.toBe(id);
    expect(first.findings[0]?.why).toContain(`assumed: eventID missing: id ${id} derived from the record`);
  });

  it('a Config item from an older recorder (no status, relationships, supplementaryConfiguration, account, Region) is judged', () => {
    // Prepare
    const message = read('config', 'sg-ssh-world-added.json');
    const item = message['configurationItem'] as Record<string, unknown>;
    for (const key of [
      'configurationItemStatus',
      'relationships',
      'supplementaryConfiguration',
      'awsAccountId',
      'awsRegion',
    ])
      delete item[key];
    // Act
    const result = classify(message);
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.ruleId)).toContain('sg-open-world');
    expect(result.changes[0]).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
    expect(result.findings[0]?.why).toEqual(
      expect.arrayContaining(['assumed: awsAccountId missing: 111122223333, from the ARN']),
    );
  });

  it('an ipPermissions item with no peer is named in the finding; the world-open item beside it still pages', () => {
    // Prepare
    const record = read('cloudtrail', 'authorize-sg-ingress-ssh-world.json');
    const items = (record['requestParameters'] as { ipPermissions: { items: unknown[] } }).ipPermissions.items;
    items.unshift({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, groups: {}, ipRanges: {} });
    // Act
    const [finding] = classify(record).findings;
    // Assess
    expect(finding).toMatchObject({ ruleId: 'sg-open-world' });
    expect(finding?.why).toContain(
      'skipped: requestParameters.ipPermissions.items.0: permission has no readable peer (ipRanges, ipv6Ranges, groups or prefixListIds)',
    );
  });
});
