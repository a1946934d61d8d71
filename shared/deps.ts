import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RULES } from '../rules/index.ts';
import { liveConfigHistory, liveLookupEvents, liveResourceConfig } from './aws/clients.ts';
import { TrailLookup } from './aws/trail-lookup.ts';
import { parseContext } from './context-config.ts';
import type { EnrichDeps } from './engine/enrich.ts';
import { DEFAULT_ROUTES } from './engine/route.ts';
import type { PipelineDeps } from './engine/process-record.ts';
import { EMPTY_CONTEXT, type RuleContext } from './model/rule.ts';
import { LogSink } from './sinks/log.ts';
import type { Sink } from './sinks/sink.ts';

/**
 * Composition root for the Lambda functions: everything built once per cold start. Handlers receive these and stay
 * wiring only. (The delivery work replaces the log sinks with configured paging / change-management sinks.)
 */
export interface LambdaDeps extends PipelineDeps {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Enrichment from the environment: `NETWATCH_ENRICH=on` turns on the AWS look-ups (the function role needs
 * config:GetResourceConfigHistory, config:BatchGetResourceConfig and cloudtrail:LookupEvents);
 * `NETWATCH_ENRICH_WAIT_MS` bounds the actor look-up (default 2000). Off by default.
 */
export function enrichFromEnv(env: NodeJS.ProcessEnv = process.env): EnrichDeps | undefined {
  if (env['NETWATCH_ENRICH'] !== 'on') return undefined;
  const wait = Number(env['NETWATCH_ENRICH_WAIT_MS'] ?? '');
  if (env['NETWATCH_ENRICH_WAIT_MS'] !== undefined && (!Number.isInteger(wait) || wait < 0)) throw new Error('NETWATCH_ENRICH_WAIT_MS must be a whole number of ms');
  return {
    configHistory: liveConfigHistory(),
    trail: new TrailLookup(liveLookupEvents()),
    resources: liveResourceConfig(),
    ...(env['NETWATCH_ENRICH_WAIT_MS'] !== undefined ? { waitMs: wait } : {}),
  };
}

/** The rule context from `NETWATCH_CONTEXT` (the context file's JSON), else empty. Fails fast at cold start. */
export function contextFromEnv(env: NodeJS.ProcessEnv = process.env): RuleContext {
  const text = env['NETWATCH_CONTEXT'];
  return text === undefined || text === '' ? EMPTY_CONTEXT : parseContext(JSON.parse(text) as unknown);
}

/** Build the dependencies for one function. */
export function buildLambdaDeps(serviceName: string): LambdaDeps {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: 'Netwatch', serviceName });
  const sinks = new Map<string, Sink>([
    ['paging', new LogSink('paging', logger)],
    ['change-log', new LogSink('change-log', logger)],
  ]);
  const deps: LambdaDeps = { rules: RULES, context: contextFromEnv(), routes: DEFAULT_ROUTES, sinks, logger, metrics };
  const enrich = enrichFromEnv();
  if (enrich !== undefined) deps.enrich = enrich;
  return deps;
}
