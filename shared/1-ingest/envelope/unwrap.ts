import { MalformedInputError, type InputLocation } from '../../platform/errors.ts';
import { isObject } from '../../platform/json.ts';

/**
 * Transport unwrapping: from whatever wrapper AWS delivered (SQS, SNS, EventBridge, CloudTrail log files, Config rule
 * invocations, nested in any order) to the payloads the sources understand. This module knows transports only; it never
 * reads CloudTrail or Config *content* beyond what identifies the payload kind.
 *
 * Wrappers recognised (with the AWS page describing each):
 * - Lambda SQS event `{"Records":[{"eventSource":"aws:sqs","body":"…"}]}` —
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * - Lambda SNS event `{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"…"}}]}` (spells `SigningCertUrl`) —
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 * - SNS notification as SQS/HTTP receive it `{"Type":"Notification","Message":"<JSON string>"}` (also with Message as an
 *   object, as the docs render it) — https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * - EventBridge events: "AWS API Call via CloudTrail" (`detail` = the CloudTrail record), "Config Configuration Item
 *   Change" and "Config Rules Compliance Change" (`detail` = the Config message) —
 *   https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
 * - CloudTrail log files `{"Records":[…]}` and JSON arrays of records —
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * - Config rule invocations `{"invokingEvent":"<JSON string>", …}` —
 *   https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html
 */

/** A payload ready for a source normalizer, or a reason it needs none. */
export type Payload =
  | { kind: 'cloudtrail'; record: Record<string, unknown>; where: InputLocation }
  | { kind: 'config'; message: Record<string, unknown>; where: InputLocation }
  | { kind: 'ignored'; reason: string; where: InputLocation }
  | { kind: 'error'; error: MalformedInputError };

/** Deepest wrapper nesting we follow; real deliveries nest at most 4 deep (SQS → SNS → EventBridge → record). */
const MAX_DEPTH = 8;

/**
 * Unwrap one decoded JSON value into payloads. Never throws: a malformed part becomes an `error` payload naming where it
 * is, and its siblings are still returned (one bad record in a log file does not take the file down).
 */
export function unwrap(value: unknown, where: InputLocation = {}): Payload[] {
  const out: Payload[] = [];
  visit(value, where, 0, out);
  return out;
}

function visit(value: unknown, where: InputLocation, depth: number, out: Payload[]): void {
  if (depth > MAX_DEPTH) {
    out.push(malformed('wrappers nested too deep', where));
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries())
      visit(item, at(where, `/${i}`, depth === 0 ? i : where.record), depth + 1, out);
    return;
  }
  if (!isObject(value)) {
    out.push(malformed(`expected a JSON object, found ${describe(value)}`, where));
    return;
  }
  for (const wrapper of WRAPPERS) {
    if (wrapper.matches(value)) {
      wrapper.open(value, where, depth, out);
      return;
    }
  }
  out.push(
    malformed(
      `unrecognised input: not a CloudTrail record, Config message, or SNS/SQS/EventBridge envelope (keys: ${Object.keys(value).slice(0, 8).join(', ') || 'none'})`,
      where,
    ),
  );
}

interface Wrapper {
  matches(value: Record<string, unknown>): boolean;
  open(value: Record<string, unknown>, where: InputLocation, depth: number, out: Payload[]): void;
}

/** Order matters: the more specific shapes first. */
const WRAPPERS: Wrapper[] = [
  {
    // {"Records":[...]}: Lambda SQS / SNS events, CloudTrail log files (and S3 events, which we do not consume).
    matches: (v) => Array.isArray(v['Records']),
    open: (v, where, depth, out) => {
      for (const [i, record] of (v['Records'] as unknown[]).entries()) openRecordsEntry(record, i, where, depth, out);
    },
  },
  {
    // SNS notification as SQS (or an HTTP endpoint) receives it; Message is a JSON string, or an object in the docs.
    matches: (v) => v['Type'] === 'Notification' && 'Message' in v,
    open: (v, where, depth, out) => openJsonText(v['Message'], at(where, '/Message'), depth, out),
  },
  {
    // EventBridge event.
    matches: (v) => typeof v['detail-type'] === 'string' && 'detail' in v && typeof v['source'] === 'string',
    open: (v, where, depth, out) => {
      const detail = v['detail'];
      const here = at(where, '/detail');
      const type = v['detail-type'] as string;
      if (
        v['source'] === 'aws.config' &&
        (type === 'Config Configuration Item Change' || type === 'Config Rules Compliance Change')
      ) {
        if (!isObject(detail)) return void out.push(malformed(`${type}: detail is not an object`, here));
        // The compliance event's detail lacks messageType in some renderings; it is the same message otherwise.
        const message =
          type === 'Config Rules Compliance Change' && detail['messageType'] === undefined
            ? { ...detail, messageType: 'ComplianceChangeNotification' }
            : detail;
        out.push({ kind: 'config', message, where: here });
        return;
      }
      // StreamAlert fixtures redact detail-type to "..."; a detail holding eventSource+eventName is a CloudTrail record.
      if (
        type === 'AWS API Call via CloudTrail' ||
        type === 'AWS Console Action via CloudTrail' ||
        isCloudTrailRecord(detail)
      ) {
        if (!isObject(detail)) return void out.push(malformed(`${type}: detail is not an object`, here));
        visit(detail, here, depth + 1, out);
        return;
      }
      out.push({
        kind: 'ignored',
        reason: `EventBridge event "${type}" from ${String(v['source'])} is not a change Netwatch monitors`,
        where,
      });
    },
  },
  {
    // Config rule invocation: the item travels as a JSON string in invokingEvent.
    matches: (v) => typeof v['invokingEvent'] === 'string',
    open: (v, where, depth, out) => openJsonText(v['invokingEvent'], at(where, '/invokingEvent'), depth, out),
  },
  {
    // CloudTrail delivery notification (org-trail S3 mode): the records are in S3, fetched by the S3 handler.
    matches: (v) => typeof v['s3Bucket'] === 'string' && Array.isArray(v['s3ObjectKey']),
    open: (_v, where, _depth, out) =>
      void out.push({
        kind: 'ignored',
        reason: 'CloudTrail log delivery notification: records are in S3 (use the S3 log handler)',
        where,
      }),
  },
  {
    matches: (v) => typeof v['messageType'] === 'string',
    open: (v, where, _depth, out) => void out.push({ kind: 'config', message: v, where }),
  },
  {
    matches: isCloudTrailRecord,
    open: (v, where, _depth, out) => void out.push({ kind: 'cloudtrail', record: v as Record<string, unknown>, where }),
  },
];

/**
 * One entry of a `{"Records":[…]}` array at position `index`: an SQS message, an SNS delivery, an S3 event, or a
 * CloudTrail record. Exported for the classify fast path, which splits a log file's Records array into record texts
 * without parsing the whole file and must unwrap each entry exactly as this module would.
 */
export function unwrapRecordsEntry(record: unknown, index: number, where: InputLocation = {}): Payload[] {
  const out: Payload[] = [];
  openRecordsEntry(record, index, where, 0, out);
  return out;
}

function openRecordsEntry(record: unknown, i: number, where: InputLocation, depth: number, out: Payload[]): void {
  const here = at(where, `/Records/${i}`, i);
  if (isObject(record) && record['eventSource'] === 'aws:sqs' && 'body' in record) {
    const id = typeof record['messageId'] === 'string' ? record['messageId'] : undefined;
    openJsonText(
      record['body'],
      { ...at(here, '/body'), ...(id && where.file === undefined ? { file: `sqs:${id}` } : {}) },
      depth,
      out,
    );
  } else if (isObject(record) && record['EventSource'] === 'aws:sns' && isObject(record['Sns'])) {
    openJsonText((record['Sns'] as Record<string, unknown>)['Message'], at(here, '/Sns/Message'), depth, out);
  } else if (isObject(record) && record['eventSource'] === 'aws:s3') {
    out.push({ kind: 'ignored', reason: 'S3 event notification (not a change event)', where: here });
  } else {
    visit(record, here, depth + 1, out);
  }
}

/**
 * Text that every wrapper above needs to see in a JSON value before it can match (its key, quoted on the left so it
 * matches both `"Records"` and the escaped `\"Records\"` of JSON held in a string). A text holding none of them
 * can only be a bare CloudTrail record, or not an input at all. The classify fast path relies on this list: a new
 * wrapper must add its key here (test/perf/fast-path.test.ts checks every wrapper sample against it).
 */
export const WRAPPER_MARKERS: readonly string[] = [
  '"Records',
  '"Message',
  '"detail-type',
  '"invokingEvent',
  '"messageType',
  '"s3Bucket',
];

/** A CloudTrail record has eventSource + eventName (eventVersion is missing from trimmed console exports). */
export function isCloudTrailRecord(value: unknown): value is Record<string, unknown> {
  return (
    isObject(value) &&
    typeof value['eventSource'] === 'string' &&
    typeof value['eventName'] === 'string' &&
    !String(value['eventSource']).startsWith('aws:')
  );
}

/** A field that should hold JSON text (SQS body, SNS Message): a string is parsed; an object is taken as is. */
function openJsonText(text: unknown, where: InputLocation, depth: number, out: Payload[]): void {
  if (isObject(text) || Array.isArray(text)) {
    visit(text, where, depth + 1, out);
    return;
  }
  if (typeof text !== 'string') return void out.push(malformed(`expected JSON text, found ${describe(text)}`, where));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    out.push(
      malformed(
        `not valid JSON (${(cause as Error).message}); starts with ${JSON.stringify(text.slice(0, 40))}`,
        where,
        cause,
      ),
    );
    return;
  }
  visit(parsed, where, depth + 1, out);
}

function at(where: InputLocation, segment: string, record?: number): InputLocation {
  const next: InputLocation = { ...where, path: `${where.path ?? ''}${segment}` };
  if (record !== undefined) next.record = record;
  return next;
}

function malformed(message: string, where: InputLocation, cause?: unknown): Payload {
  return { kind: 'error', error: new MalformedInputError(message, where, cause === undefined ? undefined : { cause }) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string ${JSON.stringify(value.slice(0, 40))}`;
  return `a ${typeof value}`;
}
