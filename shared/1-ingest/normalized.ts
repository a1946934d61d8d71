import type { ChangeEvent } from '../model/change.ts';

/**
 * What a source normalizer returns for one payload: the changes it describes (usually one; a call such as
 * DeleteFlowLogs with several ids gives one per resource), or why it was ignored (read-only call, failed call,
 * unrelated service). Ignoring is a normal outcome, not an error; malformed input of a handled call throws
 * {@link MalformedInputError} instead.
 */
export type Normalized = { kind: 'changes'; changes: ChangeEvent[] } | { kind: 'ignored'; reason: string };

export const ignored = (reason: string): Normalized => ({ kind: 'ignored', reason });
export const changes = (...list: ChangeEvent[]): Normalized => ({ kind: 'changes', changes: list });
