import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

/**
 * Records every AWS API request the code under test sends, through any AWS SDK v3 client it builds — the clients of
 * shared/platform/aws/clients.ts, the enrichment clients, the DynamoDB document client, the clients Powertools
 * Parameters builds, and any client a later change adds — without touching the code: every SDK v3 client class extends
 * smithy's `Client`, so wrapping `Client.prototype.send` once reaches them all. The first `send` of a client adds one
 * middleware to its stack, at the `deserialize` step, the innermost one (ahead of the SDK's deserializer within it): it
 * sees the request exactly as signed and sent (so a retried request is seen on every attempt) and the parsed output
 * that comes back, and reads the SigV4 credential scope for the signing service and
 * Region — the service name IAM uses for the action prefix (`sns`, `dynamodb`, `config`, …) — so no table of clients
 * is kept here.
 *
 * Which Lambda function sent a request is carried by an AsyncLocalStorage scope that the test harness opens around a
 * function's cold start and each invocation ({@link asFunction}): work the cold start begins (config from SSM, client
 * construction) inherits it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html (credential scope)
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/middleware-stack.html
 */

/** One request as sent. */
export interface AwsCall {
  /** The function (its handler entry, e.g. `functions/config-changes.handler`) whose scope sent it, if any. */
  fn: string | undefined;
  /** SigV4 signing name (`sns`, `sqs`, `dynamodb`, `config`, `cloudtrail`, `ssm`, `s3`, `monitoring`, …). */
  signingName: string;
  /** Region of the credential scope. */
  region: string;
  /** The API operation (`Publish`, `PutItem`, `GetResourceConfigHistory`). */
  operation: string;
  /** The operation input as serialized (document-client commands are seen marshalled, as the service gets them). */
  input: Record<string, unknown>;
  /**
   * The operation's output, once it succeeded: some calls name their resource only through an earlier answer (a Logs
   * Insights query id stands for the log groups StartQuery was asked about).
   */
  output?: Record<string, unknown>;
}

const scope = new AsyncLocalStorage<string>();
const sink: { calls: AwsCall[] | undefined } = { calls: undefined };
const RECORDED = Symbol.for('netwatch.test.recordAwsCalls');

interface StackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}
interface ClientLike {
  middlewareStack: StackLike;
  [RECORDED]?: true;
}

/** The credential scope of a SigV4 `Authorization` header: `Credential=AKID/20260101/eu-west-1/sns/aws4_request`. */
function credentialScope(headers: Record<string, string> | undefined): { region: string; service: string } | undefined {
  const auth = headers?.['authorization'] ?? headers?.['Authorization'];
  const match = auth === undefined ? null : /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  return match ? { region: match[1] ?? '', service: match[2] ?? '' } : undefined;
}

function recordingMiddleware(client: ClientLike) {
  return (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) =>
    async (args: { input?: Record<string, unknown>; request?: { headers?: Record<string, string> } }) => {
      const calls = sink.calls;
      let call: AwsCall | undefined;
      if (calls !== undefined) {
        const signed = credentialScope(args.request?.headers);
        const smithy = context['__smithy_context'] as { operation?: string } | undefined;
        const operation = smithy?.operation ?? String(context['commandName'] ?? '').replace(/Command$/, '');
        call = {
          fn: scope.getStore(),
          signingName: signed?.service ?? `unsigned:${String(context['clientName'] ?? client.constructor.name)}`,
          region: signed?.region ?? '',
          operation,
          input: { ...(args.input ?? {}) },
        };
        calls.push(call);
      }
      const result = (await next(args)) as { output?: Record<string, unknown> } | undefined;
      if (call && result?.output) {
        const { $metadata: _, ...output } = result.output;
        call.output = output;
      }
      return result;
    };
}

/** Every smithy `Client` class reachable from the SDK packages (CommonJS and ES module builds, deduplicated). */
async function clientClasses(): Promise<{ prototype: { send: (...args: unknown[]) => unknown } }[]> {
  const require = createRequire(import.meta.url);
  const classes = new Set<{ prototype: { send: (...args: unknown[]) => unknown } }>();
  classes.add(require('@smithy/core/client').Client);
  classes.add((await import('@smithy/core/client')).Client as never);
  return [...classes];
}

/**
 * Start recording (idempotent). Returns the live list of calls; {@link takeCalls} empties it. Clients built before or
 * after this call are both recorded (the middleware is added at their first `send`).
 */
export async function recordAwsCalls(): Promise<AwsCall[]> {
  sink.calls ??= [];
  for (const Client of await clientClasses()) {
    const proto = Client.prototype as { send: (...args: unknown[]) => unknown; [RECORDED]?: true };
    if (proto[RECORDED]) continue;
    const send = proto.send;
    proto.send = function (this: ClientLike, ...args: unknown[]) {
      if (!Object.hasOwn(this, RECORDED)) {
        this.middlewareStack.add(recordingMiddleware(this), {
          step: 'deserialize',
          // Outside the SDK's deserializer (same step, higher priority): it sees the parsed output come back.
          priority: 'high',
          name: 'netwatchTestRecordAwsCall',
          override: true,
        });
        Object.defineProperty(this, RECORDED, { value: true });
      }
      return send.apply(this, args);
    };
    proto[RECORDED] = true;
  }
  return sink.calls;
}

/** The calls recorded so far, removed from the log. */
export function takeCalls(): AwsCall[] {
  const calls = sink.calls ?? [];
  sink.calls = [];
  return calls;
}

/** Run `work` (and everything it starts) as function `fn`: the calls it sends are attributed to it. */
export function asFunction<T>(fn: string, work: () => T): T {
  return scope.run(fn, work);
}
