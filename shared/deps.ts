import { RULES } from '../rules/index.ts';
import type { Telemetry } from './cold-start.ts';
import { ruleContextFromConfig } from './config/routes.ts';
import { buildDeliveryRuntime, type DeliveryRuntime } from './delivery/runtime.ts';
import type { PipelineDeps } from './engine/process-record.ts';

/**
 * Composition root for the SQS-driven Lambda functions: everything built once per cold start (config, sinks, stores,
 * rules, context). Handlers receive these and stay wiring only. A bad config throws a ConfigError listing every
 * problem, so the function fails at init instead of mis-routing.
 */
export interface LambdaDeps extends PipelineDeps, Pick<DeliveryRuntime, 'logger' | 'metrics'> {}

/** Build the dependencies for one function (config from NETWATCH_CONFIG_PATH / NETWATCH_CONFIG_PARAMETER / default). */
export async function buildLambdaDeps(serviceName: string, env: NodeJS.ProcessEnv = process.env, telemetry?: Telemetry): Promise<LambdaDeps> {
  const runtime = await buildDeliveryRuntime(serviceName, env, telemetry);
  return { rules: RULES, context: ruleContextFromConfig(runtime.config), delivery: runtime.delivery, approvals: runtime.approvals, logger: runtime.logger, metrics: runtime.metrics };
}
