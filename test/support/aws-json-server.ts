import { reply, startReceiver, type Received } from './http-receiver.ts';

/** A handler for one `X-Amz-Target` (e.g. `AmazonSSM.GetParameter`): return the JSON result (or a promise of it), or throw {@link AwsFault}. */
export type TargetHandler = (input: Record<string, unknown>, request: Received) => unknown;

/** An AWS JSON-protocol error (`__type` + message, HTTP 400 by default). */
export class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A minimal AWS JSON 1.1 protocol speaker on 127.0.0.1 (POST /, `X-Amz-Target: <Service>.<Operation>`, JSON in and
 * out): enough for the real SDK v3 clients of SSM, Secrets Manager and EventBridge to talk to over real HTTP, so tests
 * cover serialization, signing and error parsing — not a mock of `send`.
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
export async function startAwsJsonServer(handlers: Record<string, TargetHandler>) {
  return startReceiver(async (request, _n, res) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const handler = handlers[target];
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': '11111111-2222-3333-4444-555555555555',
    };
    if (!handler)
      return reply(
        res,
        400,
        JSON.stringify({ __type: 'UnknownOperationException', message: `no handler for ${target}` }),
        headers,
      );
    try {
      const input = JSON.parse(request.body || '{}') as Record<string, unknown>;
      reply(res, 200, JSON.stringify(await handler(input, request)), headers);
    } catch (error) {
      if (error instanceof AwsFault)
        reply(res, error.status, JSON.stringify({ __type: error.type, message: error.message }), {
          ...headers,
          'x-amzn-errortype': error.type,
        });
      else reply(res, 500, JSON.stringify({ __type: 'InternalFailure', message: String(error) }), headers);
    }
  });
}

/** Dummy credentials and region for SDK clients pointed at local servers. */
export const LOCAL_AWS = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;
