import { isIP } from 'node:net';
import type { Finding } from '../../../model/finding.ts';
import type { DigestNotice, Notice } from '../../../model/notice.ts';
import type { Severity } from '../../../model/severity.ts';
import { partitionOf, resourceArn } from './asff.ts';
import { findingLink } from './console-link.ts';
import { isClose } from './ticket.ts';

/**
 * Netwatch records as OCSF events, for a Security Lake custom source or any OCSF consumer (the S3 archive sink with
 * `format: ocsf`). Schema version **OCSF 1.1.0** (github.com/ocsf/ocsf-schema, tag v1.1.0 — the version Security
 * Lake's custom sources are described with); `test/6-deliver/sinks/ocsf.test.ts` validates every event against that
 * schema (vendored under test/fixtures/ocsf-1.1.0, Apache-2.0):
 * - every finding → a **Detection Finding** (class 2004): `finding_info` (uid = fingerprint, title, types = category,
 *   analytic = the rule), severity, the affected resource with its ARN, the exposure episode as
 *   `metadata.correlation_uid`, activity Create / Close (the exposure closed: status Resolved) / Update (a traffic
 *   follow-up);
 * - a CloudTrail change → also an **API Activity** (class 6003) for the raw call: actor (principal, access key,
 *   session issuer), API operation and service, source IP / user agent, the resource.
 * Times are epoch milliseconds (`timestamp_t`). Everything Netwatch knows that OCSF has no attribute for (approval
 * verdict, routes, the episode, the deltas) sits in `unmapped`.
 * @see https://schema.ocsf.io/1.1.0/classes/detection_finding
 * @see https://schema.ocsf.io/1.1.0/classes/api_activity
 * @see https://docs.aws.amazon.com/security-lake/latest/userguide/custom-sources.html
 */

export const OCSF_VERSION = '1.1.0';

const SEVERITY: Readonly<Record<Severity, { id: number; name: string }>> = {
  info: { id: 1, name: 'Informational' },
  low: { id: 2, name: 'Low' },
  medium: { id: 3, name: 'Medium' },
  high: { id: 4, name: 'High' },
  critical: { id: 5, name: 'Critical' },
};

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

/**
 * An event's class, category and activity attributes; `type_uid` is `class_uid * 100 + activity_id`, as OCSF defines it.
 * @see https://schema.ocsf.io/1.1.0/classes/detection_finding
 */
function classification(
  cls: { uid: number; name: string },
  category: { uid: number; name: string },
  activity: { id: number; name: string },
): Record<string, unknown> {
  return {
    class_uid: cls.uid,
    class_name: cls.name,
    category_uid: category.uid,
    category_name: category.name,
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: cls.uid * 100 + activity.id,
    type_name: `${cls.name}: ${activity.name}`,
  };
}

function metadata(uid: string, correlation: string, at: string, logName: string): Record<string, unknown> {
  return {
    version: OCSF_VERSION,
    product: { name: 'Netwatch', vendor_name: 'Netwatch', feature: { name: 'network change monitor' } },
    uid,
    correlation_uid: correlation,
    original_time: at,
    log_name: logName,
    log_provider: 'Netwatch',
    profiles: ['cloud'],
  };
}

function cloud(f: Finding): Record<string, unknown> {
  return { provider: 'AWS', region: f.region, account: { uid: f.account, type_id: 10, type: 'AWS Account' } };
}

function resource(f: Finding): Record<string, unknown> {
  const tags = Object.entries(f.resource.tags ?? {}).map(([k, v]) => `${k}=${v}`);
  return {
    uid: resourceArn(f.resource, f.region, f.account),
    type: f.resource.type,
    ...(f.resource.name !== undefined ? { name: f.resource.name } : {}),
    region: f.region,
    cloud_partition: partitionOf(f.region),
    ...(tags.length ? { labels: tags } : {}),
    data: { id: f.resource.id, ...(f.resource.vpcId !== undefined ? { vpc_id: f.resource.vpcId } : {}) },
  };
}

/** The Detection Finding of one Netwatch finding. */
export function detectionFinding(
  f: Finding,
  context: { closed: boolean; followUp: boolean; approval?: Notice['approval']; routes?: string[] },
): Record<string, unknown> {
  const activity = context.closed
    ? { id: 3, name: 'Close' }
    : context.followUp
      ? { id: 2, name: 'Update' }
      : { id: 1, name: 'Create' };
  const severity = SEVERITY[f.severity];
  return {
    ...classification({ uid: 2004, name: 'Detection Finding' }, { uid: 2, name: 'Findings' }, activity),
    time: ms(f.at),
    severity_id: severity.id,
    severity: severity.name,
    status_id: context.closed ? 4 : 1,
    status: context.closed ? 'Resolved' : 'New',
    message: f.summary,
    metadata: metadata(f.fingerprint, f.episode?.id ?? f.fingerprint, f.at, 'findings'),
    cloud: cloud(f),
    finding_info: {
      uid: f.fingerprint,
      title: f.title,
      desc: f.summary,
      types: [f.category],
      created_time: ms(f.at),
      first_seen_time: ms(f.episode?.openedAt ?? f.at),
      last_seen_time: ms(f.at),
      src_url: findingLink(f),
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: 'Rule' },
      ...(f.related?.length || f.source === 'cloudtrail'
        ? {
            related_events: [
              ...new Set([...(f.source === 'cloudtrail' ? [f.changeId] : []), ...(f.related ?? [])]),
            ].map((uid) => ({ uid, product_uid: 'aws-cloudtrail' })),
          }
        : {}),
    },
    resources: [resource(f)],
    unmapped: {
      netwatch: {
        ruleId: f.ruleId,
        category: f.category,
        source: f.source,
        changeId: f.changeId,
        why: f.why,
        ...(f.episode ? { episode: f.episode } : {}),
        ...(context.approval ? { approval: context.approval } : {}),
        ...(context.routes ? { routes: context.routes } : {}),
      },
    },
  };
}

/** What an API call does, by its name: Create / Update / Delete, or Other. */
function apiActivity(name: string): { id: number; name: string } {
  if (/^(Create|Authorize|Associate|Attach|Accept|Allocate|Enable)/.test(name)) return { id: 1, name: 'Create' };
  if (/^(Delete|Revoke|Detach|Disassociate|Reject|Release|Disable|Stop)/.test(name)) return { id: 4, name: 'Delete' };
  if (/^(Modify|Replace|Update|Put|Reset|Set|Start|Restore|Apply)/.test(name)) return { id: 3, name: 'Update' };
  return { id: 99, name: 'Other' };
}

/** The API Activity of the CloudTrail call behind a finding (undefined for AWS Config changes). */
export function apiActivityEvent(f: Finding): Record<string, unknown> | undefined {
  if (f.source !== 'cloudtrail' || f.api === undefined) return undefined;
  const activity = apiActivity(f.api.name);
  const a = f.actor;
  const ip = a?.sourceIp !== undefined && isIP(a.sourceIp) ? a.sourceIp : undefined;
  const user = {
    ...(a?.arn !== undefined ? { uid: a.arn, name: a.arn.split('/').pop() ?? a.arn } : { name: 'unknown' }),
    ...(a?.type !== undefined ? { type: a.type } : {}),
    ...(a?.accessKeyId !== undefined ? { credential_uid: a.accessKeyId } : {}),
    ...(a?.principalId !== undefined ? { uid_alt: a.principalId } : {}),
    ...(a?.accountId !== undefined ? { account: { uid: a.accountId, type_id: 10, type: 'AWS Account' } } : {}),
  };
  return {
    ...classification({ uid: 6003, name: 'API Activity' }, { uid: 6, name: 'Application Activity' }, activity),
    time: ms(f.at),
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    message: `${f.api.name} on ${f.resource.id}`,
    metadata: metadata(f.changeId, f.fingerprint, f.at, 'cloudtrail'),
    cloud: cloud(f),
    actor: {
      user,
      ...(a?.sessionIssuerArn !== undefined ? { session: { issuer: a.sessionIssuerArn } } : {}),
      ...(a?.invokedBy !== undefined ? { invoked_by: a.invokedBy } : {}),
    },
    api: {
      operation: f.api.name,
      service: { name: f.api.source },
      request: { uid: f.changeId },
    },
    // OCSF wants one of ip / name / … here: a service acting for the user logs its name instead of an IP.
    src_endpoint: ip !== undefined ? { ip } : { svc_name: a?.sourceIp ?? a?.invokedBy ?? 'unknown' },
    ...(a?.userAgent !== undefined ? { http_request: { user_agent: a.userAgent } } : {}),
    resources: [resource(f)],
  };
}

/** Every OCSF event of a notice: the Detection Finding(s), and the API Activity of each CloudTrail change. */
export function ocsfEvents(notice: Notice | DigestNotice): Record<string, unknown>[] {
  const findings = notice.kind === 'finding' ? [notice.finding] : notice.findings;
  const closed = isClose(notice);
  const followUp = notice.kind === 'finding' && notice.traffic !== undefined;
  return findings.flatMap((f) => {
    const detection = detectionFinding(f, {
      closed,
      followUp,
      ...(notice.kind === 'finding' ? { approval: notice.approval, routes: notice.routes } : {}),
    });
    const api = closed || followUp ? undefined : apiActivityEvent(f);
    return api ? [detection, api] : [detection];
  });
}
