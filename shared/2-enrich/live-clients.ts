import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ConfigHistoryApi } from './config-history.ts';
import type { SelectApi } from './inventory.ts';
import type { ResourceConfigApi } from './resource-lookup.ts';
import type { PrefixListEntriesApi } from './state-lookup.ts';
import { sdk } from '../platform/aws/sdk.ts';
import type { LookupEventsApi } from './trail-lookup.ts';

/**
 * Live AWS API calls for enrichment, one SDK client per Region (Config history and CloudTrail event history are
 * regional: the item or event lives in the Region of the change). Clients use `maxAttempts: 1`: retries with backoff
 * are ours (retry.ts), bounded so a page is never held up by the SDK's own retry loop.
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

const configClient = perRegion(
  (region): ConfigServiceClient => new (sdk.configService().ConfigServiceClient)({ region, maxAttempts: 1 }),
);

/** GetResourceConfigHistory through `@aws-sdk/client-config-service`. */
export function liveConfigHistory(): ConfigHistoryApi {
  return ({ region, ...input }) =>
    configClient(region).send(new (sdk.configService().GetResourceConfigHistoryCommand)(input));
}

/** BatchGetResourceConfig through `@aws-sdk/client-config-service`. */
export function liveResourceConfig(): ResourceConfigApi {
  return ({ region, ...input }) =>
    configClient(region).send(new (sdk.configService().BatchGetResourceConfigCommand)(input));
}

/** LookupEvents through `@aws-sdk/client-cloudtrail`. */
export function liveLookupEvents(): LookupEventsApi {
  const client = perRegion(
    (region): CloudTrailClient => new (sdk.cloudTrail().CloudTrailClient)({ region, maxAttempts: 1 }),
  );
  return ({ region, ...input }) => client(region).send(new (sdk.cloudTrail().LookupEventsCommand)(input));
}

/** GetManagedPrefixListEntries through `@aws-sdk/client-ec2` (the state step's look-up of prefix lists Config lacks). */
export function livePrefixListEntries(): PrefixListEntriesApi {
  const client = perRegion((region): EC2Client => new (sdk.ec2().EC2Client)({ region, maxAttempts: 1 }));
  return ({ region, ...input }) => client(region).send(new (sdk.ec2().GetManagedPrefixListEntriesCommand)(input));
}

/**
 * The advanced query through `@aws-sdk/client-config-service`: `SelectResourceConfig` in the account, or
 * `SelectAggregateResourceConfig` over an aggregator (org mode). `Limit` is the page size (at most 100).
 */
export function liveSelect(): SelectApi {
  return ({ region, ConfigurationAggregatorName, ...input }) =>
    ConfigurationAggregatorName !== undefined
      ? configClient(region).send(
          new (sdk.configService().SelectAggregateResourceConfigCommand)({ ...input, ConfigurationAggregatorName }),
        )
      : configClient(region).send(new (sdk.configService().SelectResourceConfigCommand)(input));
}
