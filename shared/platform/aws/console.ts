/**
 * AWS console URLs: the console is regional — the region appears both in the host and in `?region=` (without the host
 * part the console redirects to the user's last region) — and China and GovCloud use other console domains. Every
 * console URL Netwatch builds (resource and CloudTrail-event links in shared/6-deliver/sinks/format/console-link.ts,
 * the Logs Insights link of traffic evidence in shared/2-enrich/traffic/query.ts) goes through {@link consoleApp}, so
 * a region taken from a record is checked once, here, before it becomes part of a host name.
 */

/**
 * Region names per partition, as the SDK's partition metadata defines them. `awsRegion` comes from the record, so it
 * is checked before it becomes part of a host name: `eu-west-1.evil.example/x#` must not yield a link to evil.example.
 * @see https://github.com/aws/aws-sdk-js-v3/blob/main/packages/util-endpoints/src/lib/aws/partitions.json (regionRegex)
 */
const COMMERCIAL = /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d{1,2}$/;
const CHINA = /^cn-[a-z]+-\d{1,2}$/;
const GOVCLOUD = /^us-gov-[a-z]+-\d{1,2}$/;

/** True when `region` is a region name of a partition that has a console Netwatch links to. */
export function isConsoleRegion(region: string): boolean {
  return GOVCLOUD.test(region) || CHINA.test(region) || COMMERCIAL.test(region);
}

/**
 * `https://<regional console host>/<path>/home?region=<region>#<fragment>`; for a value that is not a region name, the
 * global console without a region (it opens the user's last region). `fragment` must already be encoded.
 */
export function consoleApp(region: string, path: string, fragment: string): string {
  if (GOVCLOUD.test(region)) return `https://console.amazonaws-us-gov.com/${path}/home?region=${region}#${fragment}`;
  if (CHINA.test(region)) return `https://console.amazonaws.cn/${path}/home?region=${region}#${fragment}`;
  if (COMMERCIAL.test(region))
    return `https://${region}.console.aws.amazon.com/${path}/home?region=${region}#${fragment}`;
  return `https://console.aws.amazon.com/${path}/home#${fragment}`;
}
