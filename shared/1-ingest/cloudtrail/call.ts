import type { NetworkDelta, PolicyState, ResourceRef, SubnetAssociationDelta } from '../../model/change.ts';
import { MalformedInputError } from '../../platform/errors.ts';
import type { InputLocation } from '../../platform/errors.ts';
import { parsePolicyDocument, PolicyParseError } from '../../net/policy-document.ts';
import type { CloudTrailRecord } from './record.ts';
import { body, Shape } from './request-shape.ts';

/**
 * The contract between the dispatcher (index.ts) and the per-family handlers: a handler gets a {@link Call} (the
 * record with its request/response bodies already unwrapped) and returns an {@link Outcome}. Handlers never build
 * ChangeEvents themselves, so ids, actor, account and region are filled in one place.
 */

/** One resource's change as a handler sees it; index.ts turns it into a ChangeEvent. */
export interface ChangeItem {
  resource: ResourceRef;
  deltas: NetworkDelta[];
  notes?: string[];
  /** Account id found in the call itself (ARN, owner id), used only when the record has no account fields. */
  accountHint?: string;
}

/** What a handler decided. */
export type Outcome = { kind: 'changes'; items: ChangeItem[] } | { kind: 'ignored'; reason: string };

/** A handler for one (or several related) CloudTrail API calls. */
export type Handler = (call: Call) => Outcome;

/** Shorthand: one change. */
export function one(
  resource: ResourceRef,
  deltas: NetworkDelta[],
  extra: { notes?: string[]; accountHint?: string } = {},
): Outcome {
  const item: ChangeItem = { resource, deltas };
  if (extra.notes !== undefined && extra.notes.length > 0) item.notes = extra.notes;
  if (extra.accountHint !== undefined) item.accountHint = extra.accountHint;
  return { kind: 'changes', items: [item] };
}

/**
 * Replace…Association (ReplaceRouteTableAssociation, ReplaceNetworkAclAssociation): a subnet moves to the table named
 * by `idField`. The call names the association id it replaces, not the subnet: the delta carries it and the state step
 * resolves the subnet from the table that held it (shared/3-state).
 */
export function replacedAssociation(
  table: SubnetAssociationDelta['table'],
  idField: string,
  type: string,
): (call: Call) => Outcome {
  return (call) => {
    const tableId = call.required(call.params.field(idField));
    const replaces = call.required(call.params.field('associationId'));
    const associationId = call.response.field('newAssociationId').str();
    const delta: SubnetAssociationDelta = {
      kind: 'subnet-association',
      op: 'added',
      table,
      tableId,
      replaces,
      ...(associationId !== undefined ? { associationId } : {}),
    };
    return one({ type, id: tableId }, [delta]);
  };
}

/** Shorthand: several changes (one per resource). */
export function many(items: ChangeItem[]): Outcome {
  return { kind: 'changes', items };
}

/** Shorthand: nothing to report, and why. */
export function skip(reason: string): Outcome {
  return { kind: 'ignored', reason };
}

/** A CloudTrail record being normalized, with helpers that fail with a precise path. */
export class Call {
  /** The request body: `requestParameters`, or the object inside `{"<Action>Request": …}`. */
  readonly params: Shape;
  /** The response body: `responseElements`, or the object inside `{"<Action>Response": …}`. */
  readonly response: Shape;
  /** Parts left out because they could not be read (see {@link Call.skip}); copied to the change's `skipped`. */
  readonly skipped: string[] = [];

  constructor(
    readonly record: CloudTrailRecord,
    readonly where: InputLocation,
  ) {
    this.params = body(
      new Shape(record.requestParameters ?? undefined, '/requestParameters'),
      record.eventName,
      'Request',
    );
    this.response = body(
      new Shape(record.responseElements ?? undefined, '/responseElements'),
      record.eventName,
      'Response',
    );
  }

  /** `eventName`, used to prefix every message. */
  get name(): string {
    return this.record.eventName;
  }

  /** Region of the call (validated present before handlers run). */
  get region(): string {
    return this.record.awsRegion ?? '';
  }

  /** Account of the call when the record says so. */
  get account(): string | undefined {
    return this.record.recipientAccountId ?? this.record.userIdentity?.accountId ?? undefined;
  }

  /** Throw a MalformedInputError at `at` (a Shape or a JSON pointer inside the record). */
  fail(at: Shape | string, message: string, cause?: unknown): never {
    const path = typeof at === 'string' ? at : at.path;
    throw new MalformedInputError(
      `${this.name}: ${message}`,
      { ...this.where, path: (this.where.path ?? '') + path },
      cause === undefined ? undefined : { cause },
    );
  }

  /**
   * Leave out one unreadable part of the request (a permission with no peer, a range with no CIDR) and say so: the
   * rest is still judged. Use it for parts among siblings; what the whole call needs still {@link Call.fail}s.
   */
  skip(at: Shape, message: string): void {
    this.skipped.push(`${dotted(at.path)}: ${message}`);
  }

  /** The string at `shape`, or a MalformedInputError "Action: requestParameters.groupId missing". */
  required(shape: Shape): string {
    const value = shape.str();
    if (value === undefined) this.fail(shape, `${dotted(shape.path)} missing`);
    return value;
  }

  /** Parse a policy document (string or object); a bad document fails naming its path. */
  policy(shape: Shape): PolicyState {
    try {
      return parsePolicyDocument(shape.value);
    } catch (error) {
      if (error instanceof PolicyParseError) this.fail(shape, `${dotted(shape.path)}: ${error.message}`, error);
      throw error;
    }
  }
}

/** `/requestParameters/ipPermissions/items/0` → `requestParameters.ipPermissions.items.0` (for messages). */
export function dotted(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '.');
}

/**
 * One row of the dispatch table: a call that is turned into changes by `handle`, or a call we know about and
 * deliberately ignore (`ignore` says why — e.g. CreateSecurityGroup: nothing is reachable until rules are added).
 * Only rows with `handle` appear in CLOUDTRAIL_API_CALLS.
 */
export type CallEntry =
  | { source: string; name: string; handle: Handler }
  | { source: string; name: string; ignore: string };

/** The EC2 service's eventSource. */
export const EC2 = 'ec2.amazonaws.com';
