/**
 * Typed errors. Each says *where*: which input (file, line, record index) and the path inside the record, so a user
 * can find the bad byte, and carries the underlying `cause`.
 */

/** Where in the input something sits: file/line for the CLI, message id / record index for Lambda batches. */
export interface InputLocation {
  /** File name, `-` for stdin, or a transport id such as an SQS messageId. */
  file?: string;
  /** 1-based line for JSON Lines input. */
  line?: number;
  /** 0-based record index (Records[] of a log file, SQS batch position, …). */
  record?: number;
  /** JSON path inside the record, e.g. `/Records/3/requestParameters/ipPermissions`. */
  path?: string;
}

/** Render a location as `file:line record #3 at /path`. */
export function formatLocation(where: InputLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file}:${where.line}` : where.file);
  else if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.record !== undefined) parts.push(`record #${where.record}`);
  if (where.path !== undefined && where.path !== '') parts.push(`at ${where.path}`);
  return parts.join(' ') || '(input)';
}

/** Base class: every Netwatch error has a stable `code` and a location. */
export abstract class NetwatchError extends Error {
  abstract readonly code: string;
  readonly where: InputLocation;
  constructor(message: string, where: InputLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.where = where;
    this.name = new.target.name;
  }
  /** The message prefixed with its location. */
  describe(): string {
    return `${formatLocation(this.where)}: ${this.message}`;
  }
}

/** Input could not be parsed or had the wrong shape (bad JSON, truncated gzip, missing field). */
export class MalformedInputError extends NetwatchError {
  readonly code = 'MALFORMED_INPUT';
}

/** A rule threw while classifying a change; other rules still ran. */
export class RuleError extends NetwatchError {
  readonly code = 'RULE_FAILED';
  constructor(
    readonly ruleId: string,
    readonly changeId: string,
    cause: unknown,
    where: InputLocation = {},
  ) {
    super(`rule ${ruleId} failed on change ${changeId}: ${errorText(cause)}`, where, { cause });
  }
}

/** A configuration file is invalid; `problems` lists every path + message. */
export class ConfigError extends NetwatchError {
  readonly code = 'BAD_CONFIG';
  constructor(
    message: string,
    readonly problems: string[],
    where: InputLocation = {},
  ) {
    super(problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message, where);
  }
}

/** A sink could not deliver a finding. */
export class DeliveryError extends NetwatchError {
  readonly code = 'DELIVERY_FAILED';
  constructor(
    readonly sink: string,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(`sink ${sink}: ${message}`, {}, options);
    this.retryable = options?.retryable ?? true;
  }
  readonly retryable: boolean;
}

/** Text of any thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof NetwatchError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The state step could not keep the network state: the state store failed, or every conditional write lost a race.
 * The record fails (and is retried): judging it without its state would grade the wrong exposure.
 */
export class StateError extends NetwatchError {
  readonly code = 'STATE_FAILED';
}
