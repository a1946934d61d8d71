import type { BatchGetResourceConfigCommandInput } from '@aws-sdk/client-config-service';
import * as z from 'zod';
import type { RetryOptions } from '../platform/aws/retry.ts';
import { errorSummary, withRetry } from '../platform/aws/retry.ts';

/**
 * Current configuration of neighbouring resources, for context-aware severity: whether the ENIs a world-open security
 * group is attached to have public IPs, and the tags of the VPC an internet gateway was attached to (internal-only
 * tag). One `BatchGetResourceConfig` call per change (up to 100 keys); its items carry `configuration` as a JSON
 * string (the EC2 Describe* shape) and no `tags` field, so tags are read from `configuration.tags`.
 * The answer is the *current* state, not the state at change time: good enough to grade exposure now.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_BatchGetResourceConfig.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_BaseConfigurationItem.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html (association.publicIp)
 */

/** The BatchGetResourceConfig call: the live SDK client or recorded responses. */
export type ResourceConfigApi = (
  input: BatchGetResourceConfigCommandInput & { region: string },
) => Promise<{ baseConfigurationItems?: readonly unknown[] | undefined }>;

const Item = z.lazy(() =>
  z.object({ resourceType: z.string(), resourceId: z.string(), configuration: z.string().nullish() }),
);
const Association = z.lazy(() => z.object({ publicIp: z.string().nullish() }).nullish());
const Eni = z.lazy(() =>
  z.object({
    networkInterfaceId: z.string(),
    association: Association,
    privateIpAddresses: z.array(z.object({ association: Association })).nullish(),
  }),
);
const Tagged = z.lazy(() =>
  z.object({ tags: z.array(z.object({ key: z.string(), value: z.string().nullish() })).nullish() }),
);

/** What the look-up found; `failed` keeps the detail for the finding's `why`. */
export type Neighbours =
  | { kind: 'found'; publicEnis?: string[]; vpcTags?: Record<string, string> }
  | { kind: 'failed'; detail: string };

function configurationOf(items: z.output<typeof Item>[], type: string, id: string): unknown {
  const item = items.find((i) => i.resourceType === type && i.resourceId === id);
  if (item?.configuration == null) return undefined;
  try {
    return JSON.parse(item.configuration) as unknown;
  } catch {
    return undefined;
  }
}

/** Look up `enis` (public IP or not) and `vpcId` (tags) in one call. Never throws. */
export async function lookupNeighbours(
  api: ResourceConfigApi,
  region: string,
  want: { enis?: readonly string[]; vpcId?: string },
  retry: RetryOptions = {},
): Promise<Neighbours> {
  const keys = [
    ...(want.enis ?? [])
      .slice(0, 99)
      .map((id) => ({ resourceType: 'AWS::EC2::NetworkInterface' as const, resourceId: id })),
    ...(want.vpcId !== undefined ? [{ resourceType: 'AWS::EC2::VPC' as const, resourceId: want.vpcId }] : []),
  ];
  if (keys.length === 0) return { kind: 'found' };
  let raw: readonly unknown[];
  try {
    raw = (await withRetry(() => api({ region, resourceKeys: keys }), retry)).value.baseConfigurationItems ?? [];
  } catch (error) {
    return { kind: 'failed', detail: `BatchGetResourceConfig failed: ${errorSummary(error)}` };
  }
  const items = raw.flatMap((r) => {
    const parsed = Item.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
  const result: Neighbours = { kind: 'found' };
  if (want.enis !== undefined) {
    // Only when every ENI was found: a missing item means unknown, not "no public IP".
    const configs = want.enis.map((id) => Eni.safeParse(configurationOf(items, 'AWS::EC2::NetworkInterface', id)));
    if (configs.every((c) => c.success)) {
      result.publicEnis = want.enis.filter((_, i) => {
        const eni = configs[i];
        return (
          eni?.success === true &&
          (Boolean(eni.data.association?.publicIp) ||
            (eni.data.privateIpAddresses ?? []).some((p) => Boolean(p.association?.publicIp)))
        );
      });
    }
  }
  if (want.vpcId !== undefined) {
    const vpc = Tagged.safeParse(configurationOf(items, 'AWS::EC2::VPC', want.vpcId));
    if (vpc.success && vpc.data.tags)
      result.vpcTags = Object.fromEntries(vpc.data.tags.map((t) => [t.key, t.value ?? '']));
  }
  return result;
}
