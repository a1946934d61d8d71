import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { FileSink } from './file.ts';
import { LogSink } from './log.ts';
import { MemorySink } from './memory.ts';
import type { Sink } from './sink.ts';

/**
 * The sink kinds a config may name, and the zod schema of one sink instance (`type` + settings). This is the minimal
 * registry of the delivery branch (local kinds only); the sinks branch replaces it with the full one (sns, pagerduty,
 * slack, webhook, sqs, eventbridge, s3, stdout) exporting the same names, so `shared/config/schema.ts` does not change.
 */
export const SINK_KINDS = ['file', 'memory', 'log'] as const;

/** One sink kind. */
export type SinkKind = (typeof SINK_KINDS)[number];

/** Settings of each kind. Strict objects: a misspelt setting is a config error, not a silently ignored key. */
export const sinkSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    /** JSON Lines file, appended (relative paths resolve against the working directory). */
    path: z.string().min(1),
  }),
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({ type: z.literal('log') }),
], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    const type = typeof issue.input === 'object' && issue.input !== null ? (issue.input as Record<string, unknown>)['type'] : undefined;
    return type === undefined ? `a sink needs a "type" (one of ${SINK_KINDS.join(', ')})` : `unknown sink type ${JSON.stringify(type)} (known: ${SINK_KINDS.join(', ')})`;
  },
});

/** One validated sink instance spec. */
export type SinkSpec = z.infer<typeof sinkSpecSchema>;

/** What sink factories may need, built once at start. */
export interface SinkFactoryDeps {
  logger?: Logger;
}

/** Build the sink instance `name` from its validated spec. */
export function createSink(name: string, spec: SinkSpec, deps: SinkFactoryDeps = {}): Sink {
  switch (spec.type) {
    case 'file':
      return new FileSink(name, spec.path);
    case 'memory':
      return new MemorySink(name);
    case 'log':
      return new LogSink(name, deps.logger ?? new Logger({ serviceName: 'netwatch' }));
  }
}
