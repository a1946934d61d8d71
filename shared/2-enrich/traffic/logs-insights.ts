import type { CloudWatchLogsClient, GetQueryResultsCommandOutput, ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { sdk } from '../../platform/aws/sdk.ts';
import { errorName, errorSummary, isAccessDenied, realSleep, withRetry } from '../../platform/aws/retry.ts';

/**
 * Run one CloudWatch Logs Insights query to the end, bounded: StartQuery, then GetQueryResults every `pollMs` until
 * the query is `Complete` (or `Failed` / `Cancelled` / `Timeout`), and StopQuery when our own time limit runs out first
 * — a query left running keeps scanning (and costing) after the caller gave up. Throttling (`LimitExceededException`:
 * too many concurrent queries; `ThrottlingException`) is retried with backoff; a missing log group is an answer,
 * not an error; a refused call (`AccessDeniedException`) is `Denied` and names the IAM action, and a refused
 * StopQuery is reported next to the result (`denied`), since the query then runs on.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StopQuery.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html (concurrent queries)
 */

/** What a run returned. */
export type QueryRun =
  | {
      status: 'Complete' | 'Timeout';
      queryId: string;
      rows: Record<string, string>[];
      statistics?: { bytesScanned?: number; recordsScanned?: number; recordsMatched?: number };
      /** `Timeout`: who gave up — our limit (`limit`) or Logs Insights itself (`service`). */
      timedOut?: 'limit' | 'service';
      /** IAM actions refused along the way (`logs:StopQuery`: the query could not be stopped). */
      denied?: string[];
    }
  | { status: 'NoLogGroup'; detail: string }
  | { status: 'Failed'; queryId?: string; detail: string; denied?: string[] }
  /** AWS refused StartQuery or GetQueryResults: `denied` names the action(s), `detail` the error. */
  | { status: 'Denied'; queryId?: string; detail: string; denied: string[] };

export interface QueryOptions {
  /** Total time for the query, start to results (default 60 s). */
  timeoutMs?: number;
  /** Wait between GetQueryResults calls (default 1 s). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Throttling retries of each call (see platform/aws/retry.ts). */
  attempts?: number;
}

export interface QueryInput {
  logGroups: readonly string[];
  query: string;
  start: Date;
  end: Date;
  limit?: number;
}

function rowsOf(results: ResultField[][] | undefined): Record<string, string>[] {
  return (results ?? []).map((fields) => {
    const row: Record<string, string> = {};
    for (const f of fields) if (f.field !== undefined && f.value !== undefined) row[f.field] = f.value;
    return row;
  });
}

/** Run the query; never throws for API errors (they come back as `Failed` / `NoLogGroup`). */
export async function runLogsInsightsQuery(
  client: CloudWatchLogsClient,
  input: QueryInput,
  options: QueryOptions = {},
): Promise<QueryRun> {
  const logs = sdk.cloudWatchLogs();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const retry = { attempts: options.attempts ?? 4, sleep };
  const deadline = now() + (options.timeoutMs ?? 60_000);
  let queryId: string;
  try {
    const started = await withRetry(
      () =>
        client.send(
          new logs.StartQueryCommand({
            logGroupNames: [...input.logGroups],
            queryString: input.query,
            startTime: Math.floor(input.start.getTime() / 1000),
            endTime: Math.ceil(input.end.getTime() / 1000),
            ...(input.limit !== undefined ? { limit: input.limit } : {}),
          }),
        ),
      retry,
    );
    if (!started.value.queryId) return { status: 'Failed', detail: 'StartQuery returned no queryId' };
    queryId = started.value.queryId;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException')
      return { status: 'NoLogGroup', detail: `StartQuery: ${errorSummary(error)}` };
    if (isAccessDenied(error))
      return {
        status: 'Denied',
        denied: ['logs:StartQuery'],
        detail: `logs:StartQuery denied on ${input.logGroups.join(', ')} (${errorSummary(error)})`,
      };
    return { status: 'Failed', detail: `StartQuery failed: ${errorSummary(error)}` };
  }
  for (;;) {
    let out: GetQueryResultsCommandOutput;
    try {
      out = (await withRetry(() => client.send(new logs.GetQueryResultsCommand({ queryId })), retry)).value;
    } catch (error) {
      const stopDenied = await stop(client, queryId);
      if (isAccessDenied(error))
        return {
          status: 'Denied',
          queryId,
          denied: ['logs:GetQueryResults', ...stopDenied],
          detail: `logs:GetQueryResults denied for query ${queryId} (${errorSummary(error)})`,
        };
      return {
        status: 'Failed',
        queryId,
        detail: `GetQueryResults failed: ${errorSummary(error)}`,
        ...(stopDenied.length ? { denied: stopDenied } : {}),
      };
    }
    const statistics = out.statistics
      ? {
          ...(out.statistics.bytesScanned !== undefined ? { bytesScanned: out.statistics.bytesScanned } : {}),
          ...(out.statistics.recordsScanned !== undefined ? { recordsScanned: out.statistics.recordsScanned } : {}),
          ...(out.statistics.recordsMatched !== undefined ? { recordsMatched: out.statistics.recordsMatched } : {}),
        }
      : undefined;
    const base = { queryId, rows: rowsOf(out.results), ...(statistics ? { statistics } : {}) };
    switch (out.status) {
      case 'Complete':
        return { status: 'Complete', ...base };
      case 'Timeout':
        return { status: 'Timeout', timedOut: 'service', ...base };
      case 'Failed':
      case 'Cancelled':
        return { status: 'Failed', queryId, detail: `Logs Insights query ${queryId} ended ${out.status}` };
      default:
        // Scheduled / Running / Unknown: wait, unless our time is up.
        if (now() + (options.pollMs ?? 1000) > deadline) {
          const stopDenied = await stop(client, queryId);
          return {
            status: 'Timeout',
            timedOut: 'limit',
            ...base,
            ...(stopDenied.length ? { denied: stopDenied } : {}),
          };
        }
        await sleep(options.pollMs ?? 1000);
    }
  }
}

/**
 * StopQuery, best effort (a query that just finished cannot be stopped; that is fine) — except a refusal, which is
 * returned (`['logs:StopQuery']`): the query then scans on until Logs Insights ends it, and someone should know.
 */
async function stop(client: CloudWatchLogsClient, queryId: string): Promise<string[]> {
  try {
    await client.send(new (sdk.cloudWatchLogs().StopQueryCommand)({ queryId }));
  } catch (error) {
    if (isAccessDenied(error)) return ['logs:StopQuery'];
    // Already finished or not found: nothing to stop.
  }
  return [];
}
