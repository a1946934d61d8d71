import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ConfigHistoryApi } from './config-history.ts';
import type { ResourceConfigApi } from './resource-lookup.ts';
import { sdk } from '../platform/aws/sdk.ts';
import { AWS_RETRY } from '../platform/aws/sdk-errors.ts';
import type { LookupEventsApi } from './trail-lookup.ts';

/**
 * Live AWS API calls for enrichment, one SDK client per Region (Config history and CloudTrail event history are
 * regional: the item or event lives in the Region of the change). Clients retry with the SDK's standard strategy,
 * bounded by `maxAttempts` ({@link AWS_RETRY}), so a page is never held up for long. `endpoint` (tests) points every
 * client at a local speaker of the service's protocol.
 * Credentials come from the default provider chain (Lambda role, or the CLI user's profile). Changes of other
 * accounts need that account's credentials; this stack looks up in the account it runs in.
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html
 */
function perRegion<C>(build: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    const existing = clients.get(region);
    if (existing !== undefined) return existing;
    const client = build(region);
    clients.set(region, client);
    return client;
  };
}

/** Options of the live clients: a local endpoint for tests (with any credentials), else the default chain. */
export interface LiveClientOptions {
  endpoint?: string;
}

const configClients = new Map<string, (region: string) => ConfigServiceClient>();
function configClient(options: LiveClientOptions): (region: string) => ConfigServiceClient {
  const key = options.endpoint ?? '';
  let clients = configClients.get(key);
  if (!clients) {
    clients = perRegion(
      (region): ConfigServiceClient =>
        new (sdk.configService().ConfigServiceClient)({ region, ...AWS_RETRY, ...endpointOf(options) }),
    );
    configClients.set(key, clients);
  }
  return clients;
}

function endpointOf(options: LiveClientOptions) {
  return options.endpoint === undefined
    ? {}
    : { endpoint: options.endpoint, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } };
}

/** GetResourceConfigHistory through `@aws-sdk/client-config-service`. */
export function liveConfigHistory(options: LiveClientOptions = {}): ConfigHistoryApi {
  const client = configClient(options);
  return ({ region, ...input }) =>
    client(region).send(new (sdk.configService().GetResourceConfigHistoryCommand)(input));
}

/** BatchGetResourceConfig through `@aws-sdk/client-config-service`. */
export function liveResourceConfig(options: LiveClientOptions = {}): ResourceConfigApi {
  const client = configClient(options);
  return ({ region, ...input }) => client(region).send(new (sdk.configService().BatchGetResourceConfigCommand)(input));
}

/** LookupEvents through `@aws-sdk/client-cloudtrail`. */
export function liveLookupEvents(options: LiveClientOptions = {}): LookupEventsApi {
  const client = perRegion(
    (region): CloudTrailClient =>
      new (sdk.cloudTrail().CloudTrailClient)({ region, ...AWS_RETRY, ...endpointOf(options) }),
  );
  return ({ region, ...input }) => client(region).send(new (sdk.cloudTrail().LookupEventsCommand)(input));
}
