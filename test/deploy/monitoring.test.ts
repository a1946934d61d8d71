import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_SERVICE, WITHOUT_METRICS } from '../../deploy/stack/monitoring.ts';
import { emitAccountEvents } from '../../shared/lambda/sqs-batch.ts';
import type { ChangeEvent } from '../../shared/model/change.ts';
import { deployedFunctions, loadTemplate, MODES, packagedTemplates, ResolvedStack } from '../support/stack-template.ts';

/** The alarms this issue added, on the packaged templates, and the metric dimensions they rely on. */
const packaged = packagedTemplates('test/deploy/monitoring.test.ts');
const root = join(import.meta.dirname, '..', '..');
const ENV = { account: '111122223333', region: 'eu-west-1', stackName: 'netwatch-ci' };

describe('monitoring', () => {
  it('AccountEvents: one count per account of the changes in a record (the per-account last-seen series)', () => {
    // Prepare
    const emitted: { dimension: [string, string]; name: string; value: number }[] = [];
    const metrics = {
      singleMetric: () => {
        let dimension: [string, string] = ['', ''];
        const single = {
          addDimension: (k: string, v: string) => {
            dimension = [k, v];
            return single;
          },
          addMetric: (name: string, _unit: unknown, value: number) => emitted.push({ dimension, name, value }),
        };
        return single;
      },
    } as unknown as Metrics;
    const change = (account: string) => ({ account }) as ChangeEvent;
    // Act
    emitAccountEvents(metrics, [change('111122223333'), change('444455556666'), change('111122223333')]);
    // Assess
    expect(emitted).toEqual([
      { dimension: ['account', '111122223333'], name: 'AccountEvents', value: 2 },
      { dimension: ['account', '444455556666'], name: 'AccountEvents', value: 1 },
    ]);
  });

  it.skipIf(!packaged)(
    'org: a silent-account alarm per critical account and source; none without the parameter',
    () => {
      const org = new ResolvedStack(loadTemplate('org'), ENV);
      const names = org.of('AWS::CloudWatch::Alarm').map(([, r]) => String(org.resolve(r.Properties?.['AlarmName'])));
      expect(names).toEqual(
        expect.arrayContaining([
          'netwatch-ci-account-444455556666-config-silent',
          'netwatch-ci-account-444455556666-cloudtrail-silent',
        ]),
      );
      const plain = new ResolvedStack(loadTemplate('default'), ENV);
      expect(plain.of('AWS::CloudWatch::Alarm').filter(([id]) => id.includes('Silent'))).toEqual([]);
    },
  );

  it("METRIC_SERVICE names each function's Powertools service (the `service` dimension of its metrics)", () => {
    // Prepare: createTelemetry('<service>') in each handler module.
    const handlers = readdirSync(join(root, 'functions')).filter((f) => f.endsWith('.ts'));
    const services = handlers.flatMap((f) => {
      const service = /createTelemetry\('([^']+)'\)/.exec(readFileSync(join(root, 'functions', f), 'utf8'))?.[1];
      return service === undefined ? [] : [service];
    });
    // Assess
    expect(services.sort()).toEqual(Object.values(METRIC_SERVICE).sort());
  });

  it('every function of serverless.yml either has its metric service or is listed as emitting none, with why', () => {
    // Prepare: function key → handler module, from serverless.yml.
    const yml = readFileSync(join(root, 'serverless.yml'), 'utf8');
    const handlerOf = new Map(
      [...yml.matchAll(/^ {2}(\w+):\n(?: {4}#.*\n)* {4}handler: (functions\/[\w-]+)\.handler$/gm)].map((m) => [
        String(m[1]),
        `${String(m[2])}.ts`,
      ]),
    );
    expect(handlerOf.size).toBeGreaterThanOrEqual(6);
    // Assess
    for (const [key, file] of handlerOf) {
      const service = /createTelemetry\('([^']+)'\)/.exec(readFileSync(join(root, file), 'utf8'))?.[1];
      if (key in WITHOUT_METRICS) {
        expect(service, `${key} is listed in WITHOUT_METRICS but ${file} creates telemetry`).toBeUndefined();
        expect(WITHOUT_METRICS[key]?.length ?? 0, `${key}: say why it has no metrics`).toBeGreaterThan(40);
        expect(METRIC_SERVICE[key]).toBeUndefined();
      } else expect(METRIC_SERVICE[key], `${key} (${file})`).toBe(service);
    }
    expect(Object.keys(WITHOUT_METRICS).every((key) => handlerOf.has(key))).toBe(true);
  });

  it.skipIf(!packaged).each(MODES)('%s: every SQS function has an AwsCallsDenied alarm on its service', (mode) => {
    const stack = new ResolvedStack(loadTemplate(mode), ENV);
    const alarms = stack
      .of('AWS::CloudWatch::Alarm')
      .map(([, r]) => stack.resolve(r.Properties) as Record<string, unknown>);
    const consumers = stack
      .of('AWS::Lambda::EventSourceMapping')
      .map(([, r]) => String(stack.resolve(r.Properties?.['FunctionName'])).split(':').pop());
    expect(consumers.length).toBeGreaterThan(0);
    for (const fn of deployedFunctions(stack).filter((f) => consumers.includes(f.name))) {
      const alarm = alarms.find((a) => a['AlarmName'] === `${fn.name}-aws-calls-denied`);
      expect(alarm, fn.name).toMatchObject({ Namespace: 'Netwatch', MetricName: 'AwsCallsDenied', Threshold: 1 });
      const key = fn.name.split('-').pop() ?? '';
      expect(alarm?.['Dimensions']).toEqual([{ Name: 'service', Value: METRIC_SERVICE[key] }]);
    }
  });
});
