import fc from 'fast-check';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { processSqsRecord } from '../../shared/lambda/process-record.ts';
import { MalformedInputError, NetwatchError, RuleError } from '../../shared/platform/errors.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { StaticApprovals } from '../../shared/5-decide/approvals/providers.ts';
import { MemoryDeliveryStore } from '../../shared/6-deliver/ledger/memory-store.ts';
import { cloudTrailRecord, configMessage, envelope, fuzzRuns, sqsBody } from './arbitraries.ts';

const deps = { rules: RULES, context: EMPTY_CONTEXT };
const WHERE = { file: 'fuzz.json' };

/**
 * Classification never throws, and every problem it reports is a typed error that says where: the input it came
 * from, and a path inside it. A rule throwing on a normalized change is a bug in that rule (RuleError is typed, but
 * the finding is lost), so it fails the property too.
 */
function assertTypedErrors(value: unknown): void {
  const result = classifyValue(value, WHERE, deps);
  for (const error of result.errors) {
    expect(error).toBeInstanceOf(NetwatchError);
    expect(error).not.toBeInstanceOf(RuleError);
    expect(error.where.file).toBe('fuzz.json');
    expect(error.describe()).toMatch(/^fuzz\.json/);
    // A path, when given, is a JSON pointer into the input (none means the input's root value itself).
    if (error instanceof MalformedInputError && error.where.path !== undefined && error.where.path !== '')
      expect(error.where.path).toMatch(/^\//);
  }
  for (const finding of result.findings) {
    expect(finding.fingerprint).toMatch(/^[0-9a-f]{16,64}$/);
  }
}

/** Fail with fast-check's counterexample report; under `npm run fuzz`, also print how many cases ran. */
function report(name: string, details: fc.RunDetails<[unknown]>): void {
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? `${name} failed`);
  if (process.env['FUZZ_RUNS'])
    console.info(`fuzz ${name}: ${details.numRuns} cases passed (${details.numSkips} skipped)`);
}

describe('fuzz: classify never throws; malformed input gives a typed error naming where', () => {
  it('CloudTrail records (mutated samples, random request shapes, {tag, content} wrappers, policies, CIDRs)', () => {
    report('cloudTrailRecord', fc.check(fc.property(cloudTrailRecord, assertTypedErrors), { numRuns: fuzzRuns(500) }));
  });

  it('Config messages (mutated samples, random diffs, policies)', () => {
    report('configMessage', fc.check(fc.property(configMessage, assertTypedErrors), { numRuns: fuzzRuns(500) }));
  });

  it('envelopes: SQS / SNS / EventBridge / log files / rule invocations nested around any of them', () => {
    report('envelope', fc.check(fc.property(envelope, assertTypedErrors), { numRuns: fuzzRuns(500) }));
  });

  it('SQS record bodies through the Lambda record pipeline: success, or a typed error (never an untyped throw)', async () => {
    const delivery = {
      routes: [],
      allowlists: [],
      sinks: new Map(),
      store: new MemoryDeliveryStore(),
      dedupWindowMs: 1,
      groupingWindowMs: 1,
      claimLeaseMs: 1,
    };
    const pipeline = { ...deps, delivery, approvals: new StaticApprovals([]) };
    await fc.assert(
      fc.asyncProperty(sqsBody, async (body) => {
        const record = { messageId: 'fuzz-1', body } as SQSRecord;
        try {
          await processSqsRecord(record, pipeline);
        } catch (error) {
          const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
          for (const e of errors) {
            expect(e).toBeInstanceOf(NetwatchError);
            expect((e as NetwatchError).where.file).toBe('sqs:fuzz-1');
          }
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
    if (process.env['FUZZ_RUNS']) console.info(`fuzz sqsBody: ${fuzzRuns(300)} cases passed`);
  });
});
