/**
 * One generic reader for every shape CloudTrail uses to log EC2-style request parameters and response elements.
 *
 * CloudTrail logs the same logical field in at least three spellings, depending on the API's age:
 * - old style: `ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp }] } }] }` (lower camel case, lists as `items`);
 * - flat legacy: `cidrIp`, `fromPort: "443"` next to an empty `ipPermissions: {}`;
 * - the newer XML-ish style: `{ "<Action>Request": { "GroupId": …, "SecurityGroupRule": { "tag": 1, … } } }` with
 *   upper camel case names, list members as `{ "tag": 1, "content": "x" }` (or objects carrying a `tag` key) and a
 *   single member written without an array; responses use `{ "item": … }` the same way.
 *
 * Rather than ad-hoc code per API, handlers walk the record through a {@link Shape}: `field()` matches names
 * case-insensitively (so `groupId` also finds `GroupId`), `list()` accepts every list spelling, and the scalar readers
 * accept `{content}` / `{value}` wrappers. Each Shape carries its JSON-pointer path so errors can say where.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html (list members are `Name.N` in the Query API)
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */

import { escapePointerToken, isObject, type JsonObject } from '../../platform/json.ts';

/** A value inside the record plus the JSON-pointer path that leads to it. Absent values are Shapes too. */
export class Shape {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  /** True when the value is present (not undefined/null). */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** The value as an object, when it is one. */
  get object(): JsonObject | undefined {
    return isObject(this.value) ? this.value : undefined;
  }

  /**
   * The first present field among `names`, matched exactly first, then case-insensitively (old-style `groupId` and
   * wrapped `GroupId` are the same field). Returns an absent Shape (path of the first name) when none is present.
   */
  field(...names: string[]): Shape {
    const obj = this.object;
    if (obj !== undefined) {
      for (const name of names) {
        const key = name in obj ? name : Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
        if (key !== undefined && obj[key] !== undefined && obj[key] !== null)
          return new Shape(obj[key], `${this.path}/${escapePointerToken(key)}`);
      }
    }
    return new Shape(undefined, `${this.path}/${escapePointerToken(names[0] ?? '')}`);
  }

  /**
   * The members of a list in any spelling: an array, `{items: [...]}`, `{item: x | [...]}`, a single member written
   * without an array, and `{tag, content}` members (→ `content`). Absent, `""` and `{}` are the empty list.
   */
  list(): Shape[] {
    const v = this.value;
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v.map((member, i) => unwrapMember(new Shape(member, `${this.path}/${i}`)));
    if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return [];
      if ('items' in v && (Array.isArray(v['items']) || v['items'] === null))
        return new Shape(v['items'], `${this.path}/items`).list();
      if (keys.length === 1 && 'item' in v) return new Shape(v['item'], `${this.path}/item`).list();
    }
    return [unwrapMember(this)];
  }

  /** A string (numbers are stringified: account ids are sometimes logged as numbers), unwrapping `{content}`. */
  str(): string | undefined {
    const v = scalar(this.value);
    if (typeof v === 'string') return v === '' ? undefined : v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return undefined;
  }

  /** A string even when empty (`""` is meaningful for e.g. UpdateTrail `kmsKeyId: ""`). */
  rawStr(): string | undefined {
    const v = scalar(this.value);
    return typeof v === 'string' ? v : undefined;
  }

  /** A boolean from `true`, `"true"`, `{value: true}` (ModifySubnetAttribute) or `{content: "true"}`. */
  bool(): boolean | undefined {
    const v = scalar(this.value);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
    }
    return undefined;
  }

  /** A finite number from a number or numeric string (`"443"`). */
  num(): number | undefined {
    const v = scalar(this.value);
    if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v.trim());
      return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
  }
}

/** `{tag, content}` → content; `{tag, …fields}` stays an object (the tag is only an ordinal). */
function unwrapMember(shape: Shape): Shape {
  const obj = shape.object;
  if (obj !== undefined && 'content' in obj && Object.keys(obj).every((k) => k === 'content' || k === 'tag')) {
    return new Shape(obj['content'], `${shape.path}/content`);
  }
  return shape;
}

/** Unwrap `{content: x}`, `{value: x}` / `{Value: x}` single-value wrappers. */
function scalar(value: unknown): unknown {
  if (!isObject(value)) return value;
  for (const key of ['content', 'value', 'Value']) {
    if (key in value && Object.keys(value).every((k) => k === key || k === 'tag')) return value[key];
  }
  return value;
}

/**
 * The request or response body of a call: CloudTrail wraps newer EC2 APIs as `{"<Action>Request": {...}}` /
 * `{"<Action>Response": {...}}`, and a few with abbreviated names (`DelTGwVpcAttachReq`). When the parameters are a
 * single object-valued key named like that, that object is the body; otherwise the parameters themselves are.
 */
export function body(container: Shape, eventName: string, kind: 'Request' | 'Response'): Shape {
  const obj = container.object;
  if (obj === undefined) return container;
  const exact = container.field(`${eventName}${kind}`);
  if (exact.object !== undefined) return exact;
  const keys = Object.keys(obj);
  const suffix = kind === 'Request' ? /Req(uest)?$/ : /Resp(onse)?$/;
  if (keys.length === 1 && suffix.test(keys[0]!) && isObject(obj[keys[0]!])) return container.field(keys[0]!);
  return container;
}
