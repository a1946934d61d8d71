import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationApprovalCache } from '../../shared/5-decide/approvals/providers.ts';
import { documentClient, lazyDocumentClient } from '../../shared/platform/aws/dynamodb.ts';
import { digestHandler } from '../../shared/lambda/digest-handler.ts';
import { deliveryTableDefinition } from '../../shared/6-deliver/ledger/dynamodb-store.ts';
import { deliverOrThrow } from '../../shared/6-deliver/orchestrate.ts';
import { buildDeliveryRuntime } from '../../shared/lambda/runtime.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import type { MemorySink } from '../../shared/6-deliver/sinks/memory.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { stormFindings } from '../support/findings.ts';

let dynamo: LocalDynamo;
const dir = mkdtempSync(join(tmpdir(), 'netwatch-runtime-'));
beforeAll(async () => {
  dynamo = await startDynalite();
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint;
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
});
afterAll(async () => {
  delete process.env['AWS_ENDPOINT_URL_DYNAMODB'];
  await dynamo.close();
});

describe('cold start from config', () => {
  it('fails fast with every problem when the config file is bad', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        sinks: { p: { type: 'memory' } },
        routes: [{ name: 'r', sinks: ['q'] }],
        dedup: { windowHours: 0 },
      }),
    );
    const error = await buildDeliveryRuntime('test', { NETWATCH_CONFIG_PATH: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'dedup.windowHours: Too small: expected number to be >0',
      'routes[0].sinks[0]: no sink named "q" (configured: p)',
    ]);
  });

  it('reads JSON only (no YAML library in the function bundles) and says how to convert a YAML config', async () => {
    const file = join(dir, 'netwatch.config.yml');
    writeFileSync(file, 'version: 1\nsinks: { p: { type: memory } }\nroutes: [{ name: r, sinks: [p] }]\n');
    const error = await buildDeliveryRuntime('test', { NETWATCH_CONFIG_PATH: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('is YAML; this runtime reads JSON config');
    expect((error as ConfigError).problems).toEqual([
      'store the config as JSON: `npx netwatch config FILE.yml --json` prints it',
    ]);
  });

  it('requires a dedup table when a config is given', async () => {
    const file = join(dir, 'no-table.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, sinks: { p: { type: 'memory' } }, routes: [{ name: 'r', sinks: ['p'] }] }),
    );
    const error = await buildDeliveryRuntime('test', { NETWATCH_CONFIG_PATH: file }).catch((e: unknown) => e);
    expect((error as ConfigError).problems[0]).toMatch(/^dedup.tableName: required in Lambda/);
  });

  it('builds sinks, the DynamoDB store (table from env) and a digest function that sends closed windows', async () => {
    // Prepare
    await dynamo.createTable(deliveryTableDefinition('netwatch-delivery-rt'));
    const file = join(dir, 'good.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        sinks: { pager: { type: 'memory' }, log: { type: 'memory' } },
        routes: [
          { name: 'page', kind: 'paging', match: { minSeverity: 'high' }, sinks: ['pager'] },
          { name: 'all', sinks: ['log'] },
        ],
        grouping: { windowMinutes: 0.02 },
      }),
    );
    const runtime = await buildDeliveryRuntime('test', {
      NETWATCH_CONFIG_PATH: file,
      NETWATCH_DEDUP_TABLE: 'netwatch-delivery-rt',
    });
    const pager = runtime.delivery.sinks.get('pager') as MemorySink;
    // Act: three findings of one rule in the (very short) window, then the scheduled digest after it closed.
    await deliverOrThrow(stormFindings(3), new InvocationApprovalCache(runtime.approvals), runtime.delivery);
    await new Promise((r) => setTimeout(r, 1300));
    const result = await digestHandler(runtime)();
    // Assess
    expect(result).toEqual({ digests: 1 });
    expect(pager.notices.map((n) => (n.kind === 'digest' ? `digest:${n.findings.length}` : 'page'))).toEqual([
      'page',
      'digest:2',
    ]);
    expect((runtime.delivery.sinks.get('log') as MemorySink).delivered).toHaveLength(3);
  });
});

describe('lazyDocumentClient', () => {
  it('creates the DynamoDB client on first use, once, and forwards to it', async () => {
    // Prepare
    await dynamo.createTable(deliveryTableDefinition('netwatch-delivery-lazy'));
    let created = 0;
    const client = lazyDocumentClient(() => {
      created += 1;
      return documentClient(dynamo.endpoint);
    });
    const lib = await import('@aws-sdk/lib-dynamodb');
    expect(created).toBe(0);
    // Act
    await client.send(new lib.PutCommand({ TableName: 'netwatch-delivery-lazy', Item: { pk: 'a', sk: 'b', n: 1 } }));
    const { Item } = await client.send(
      new lib.GetCommand({ TableName: 'netwatch-delivery-lazy', Key: { pk: 'a', sk: 'b' } }),
    );
    // Assess
    expect(Item).toEqual({ pk: 'a', sk: 'b', n: 1 });
    expect(created).toBe(1);
    expect(typeof client.config.region).toBe('function');
  });
});
