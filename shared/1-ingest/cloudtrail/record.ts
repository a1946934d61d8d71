import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Actor } from '../../model/change.ts';
import { MalformedInputError } from '../../platform/errors.ts';
import type { InputLocation } from '../../platform/errors.ts';

/**
 * The common CloudTrail record fields, validated with zod. Only `eventSource` and `eventName` are required to call
 * something a CloudTrail record: real samples are often trimmed (console-session exports drop `userIdentity`,
 * `sourceIPAddress`, `recipientAccountId`, `eventType`) and carry `errorCode: null`, so everything else is optional
 * and nullable. `eventID`, `eventTime` and `awsRegion` are checked later, only for calls that yield a change.
 * Unknown top-level fields (Panther `p_*` enrichment, `tlsDetails`, …) pass through.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
const AccountId = z.lazy(() => z.union([z.string(), z.number()]).transform(String));
const OptText = z.lazy(() => z.string().nullish());

const UserIdentitySchema = z.lazy(() =>
  z.looseObject({
    type: OptText,
    principalId: OptText,
    arn: OptText,
    accountId: AccountId.nullish(),
    accessKeyId: OptText,
    invokedBy: OptText,
    sessionContext: z
      .looseObject({
        sessionIssuer: z.looseObject({ arn: OptText }).nullish(),
      })
      .nullish(),
  }),
);

export const CloudTrailRecordSchema = z.lazy(() =>
  z.looseObject({
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    eventID: OptText,
    eventTime: OptText,
    awsRegion: OptText,
    eventType: OptText,
    eventCategory: OptText,
    errorCode: OptText,
    recipientAccountId: AccountId.nullish(),
    userIdentity: UserIdentitySchema.nullish(),
    sourceIPAddress: OptText,
    userAgent: OptText,
    requestParameters: z.record(z.string(), z.unknown()).nullish(),
    responseElements: z.unknown().optional(),
  }),
);

/** A CloudTrail record whose common fields have been validated. */
export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

/**
 * Validate the common fields. Anything without `eventSource`/`eventName` is not a CloudTrail record at all (an
 * EventBridge event that was not unwrapped, a Config item on the wrong queue) and fails with the offending path.
 * @throws MalformedInputError
 */
export function parseRecord(record: unknown, where: InputLocation): CloudTrailRecord {
  const parsed = CloudTrailRecordSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue === undefined ? '' : issue.path.map((p) => `/${String(p)}`).join('');
  const missingCore = parsed.error.issues.some(
    (i) => i.path.length === 1 && (i.path[0] === 'eventSource' || i.path[0] === 'eventName'),
  );
  const message = missingCore
    ? 'not a CloudTrail record: eventSource and eventName are required strings'
    : `CloudTrail record field ${path.slice(1).replace(/\//g, '.') || '(root)'} is invalid: ${issue?.message ?? 'unknown problem'}`;
  throw new MalformedInputError(message, { ...where, path: (where.path ?? '') + path }, { cause: parsed.error });
}

/**
 * Who made the call. For assumed roles `arn` is the session ARN and `sessionIssuerArn` the role: allowlists usually
 * name the role. Returns undefined when a trimmed record says nothing about the caller.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export function actorOf(record: CloudTrailRecord): Actor | undefined {
  const id = record.userIdentity;
  const actor: Actor = {};
  if (id?.arn) actor.arn = id.arn;
  if (id?.type) actor.type = id.type;
  if (id?.principalId) actor.principalId = id.principalId;
  if (id?.accountId) actor.accountId = id.accountId;
  if (id?.accessKeyId) actor.accessKeyId = id.accessKeyId;
  if (id?.sessionContext?.sessionIssuer?.arn) actor.sessionIssuerArn = id.sessionContext.sessionIssuer.arn;
  if (id?.invokedBy) actor.invokedBy = id.invokedBy;
  if (record.sourceIPAddress) actor.sourceIp = record.sourceIPAddress;
  if (record.userAgent) actor.userAgent = record.userAgent;
  return Object.keys(actor).length > 0 ? actor : undefined;
}

/**
 * A deterministic id for a record without `eventID`: `derived-` + the first 32 hex digits of the SHA-256 of the record
 * serialized with sorted keys. The same record (redelivered, or read again by a backtest) gets the same id.
 */
export function derivedEventId(record: unknown): string {
  const text = JSON.stringify(record, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
  return `derived-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** The Region of the first regional ARN in the record (`arn:aws:ec2:eu-west-1:…`), for records without `awsRegion`. */
export function regionInRecord(record: unknown): string | undefined {
  const match = /"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(JSON.stringify(record) ?? '');
  return match?.[1];
}

/** The account id inside an ARN (`arn:partition:service:region:ACCOUNT:resource`), when it has one. */
export function accountFromArn(arn: string | undefined): string | undefined {
  const part = arn?.split(':')[4];
  return part !== undefined && /^\d{12}$/.test(part) ? part : undefined;
}
