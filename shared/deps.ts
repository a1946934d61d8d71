import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RULES } from '../rules/index.ts';
import { DEFAULT_ROUTES } from './engine/route.ts';
import type { PipelineDeps } from './engine/process-record.ts';
import { EMPTY_CONTEXT } from './model/rule.ts';
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

/** Build the dependencies for one function. */
export function buildLambdaDeps(serviceName: string): LambdaDeps {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: 'Netwatch', serviceName });
  const sinks = new Map<string, Sink>([
    ['paging', new LogSink('paging', logger)],
    ['change-log', new LogSink('change-log', logger)],
  ]);
  return { rules: RULES, context: EMPTY_CONTEXT, routes: DEFAULT_ROUTES, sinks, logger, metrics };
}
