import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
} from '@aws-sdk/client-config-service';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { emitDeniedCalls } from '../../shared/lambda/sqs-batch.ts';
import { json, liveDeps, run } from './fixtures.ts';

/**
 * A call AWS refuses at run time (a customer SCP, a permission boundary, a missing grant) is never a silent downgrade:
 * the finding says which action was denied and what is therefore unknown, the step is marked `denied`, and the batch
 * counts it in the `AwsCallsDenied` metric (the `<function>-aws-calls-denied` alarm pages on it).
 */
const trail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);

/** The error an AWS JSON API answers for an IAM denial. */
function accessDenied(action: string): Error {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::111122223333:assumed-role/netwatch-prod-ConfigChangesRole/netwatch-prod-configChanges is not authorized to perform: ${action} with an explicit deny in a service control policy`,
    ),
    { name: 'AccessDeniedException' },
  );
}

describe('enrichment calls denied at run time', () => {
  beforeEach(() => {
    trail.reset();
    config.reset();
  });

  it('LookupEvents denied: the finding goes out without an actor and why says the call was denied (not retried)', async () => {
    // Prepare
    trail.on(LookupEventsCommand).rejects(accessDenied('cloudtrail:LookupEvents'));
    // Act
    const result = await run(json('events/config/sg-web-opened-by-pipeline.json'), liveDeps());
    // Assess
    const [f] = result.findings;
    expect(f?.actor).toBeUndefined();
    expect(f?.why.find((w) => w.startsWith('actor-lookup:'))).toMatch(
      /^actor-lookup: actor unknown: cloudtrail:LookupEvents denied \(AccessDeniedException: User: .* is not authorized to perform: cloudtrail:LookupEvents/,
    );
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(1);
    expect(result.changes[0]?.enrichment?.find((s) => s.step === 'actor-lookup')?.outcome).toBe('denied');
  });

  it('GetResourceConfigHistory denied: the oversized change is uninspected and says which call was refused', async () => {
    // Prepare
    config.on(GetResourceConfigHistoryCommand).rejects(accessDenied('config:GetResourceConfigHistory'));
    // Act
    const result = await run(json('events/config/oversized-sg.json'), liveDeps({ trail: undefined }));
    // Assess
    const [f] = result.findings;
    expect(f).toMatchObject({ ruleId: 'change-uninspected', severity: 'low' });
    expect(f?.summary).toContain(
      'could not be inspected: config:GetResourceConfigHistory denied (AccessDeniedException',
    );
    expect(result.changes[0]?.enrichment?.map((s) => s.outcome)).toEqual(['denied']);
  });

  it('BatchGetResourceConfig denied: no VPC context, and why names the denied action', async () => {
    // Prepare
    config.on(BatchGetResourceConfigCommand).rejects(accessDenied('config:BatchGetResourceConfig'));
    // Act
    const result = await run(json('events/config/igw-attached-internal-vpc.json'), liveDeps({ trail: undefined }));
    // Assess
    const why = result.findings.flatMap((f) => f.why);
    expect(why).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^resource-lookup: no attachment\/VPC context: config:BatchGetResourceConfig denied \(AccessDeniedException/,
        ),
      ]),
    );
  });

  it('each denied step is counted in AwsCallsDenied and logged; none, no metric', async () => {
    // Prepare
    trail.on(LookupEventsCommand).rejects(accessDenied('cloudtrail:LookupEvents'));
    const result = await run(json('events/config/sg-web-opened-by-pipeline.json'), liveDeps());
    const metrics: [string, number][] = [];
    const warnings: unknown[] = [];
    const sink = { addMetric: (name: string, _unit: unknown, value: number) => metrics.push([name, value]) };
    // Act
    emitDeniedCalls(sink as unknown as Metrics, result.changes, { warn: (_m, extra) => warnings.push(extra) });
    emitDeniedCalls(sink as unknown as Metrics, [], { warn: (_m, extra) => warnings.push(extra) });
    // Assess
    expect(metrics).toEqual([['AwsCallsDenied', 1]]);
    expect(warnings).toEqual([expect.objectContaining({ step: 'actor-lookup' })]);
  });
});
