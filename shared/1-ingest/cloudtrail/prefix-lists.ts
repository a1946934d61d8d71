import type { PrefixListEntryDelta } from '../../model/change.ts';
import { EC2, one } from './call.ts';
import type { Call, CallEntry, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';

/**
 * Managed prefix-list calls → {@link PrefixListEntryDelta}s. A prefix list is referenced by security-group rules and
 * routes, so a CIDR added to a list reaches every group and table that names it (the state step re-evaluates them).
 * CloudTrail logs these newer EC2 calls in the wrapped shape, entries as Query-API members (`AddEntry` items with
 * `Cidr`, singular or listed); the SDK spellings (`AddEntries`, `Entries`) are read too.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateManagedPrefixList.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyManagedPrefixList.html
 */

const PREFIX_LIST_TYPE = 'AWS::EC2::PrefixList';

function cidrs(call: Call, shape: Shape): string[] {
  return shape.list().map((entry) => entry.field('cidr').str() ?? call.required(entry));
}

function delta(op: 'added' | 'removed', prefixListId: string, cidr: string): PrefixListEntryDelta {
  return { kind: 'prefix-list-entry', op, prefixListId, cidr };
}

function created(call: Call): Outcome {
  const list = call.response.field('prefixList');
  const prefixListId = call.required(list.field('prefixListId'));
  const name = call.params.field('prefixListName').str() ?? list.field('prefixListName').str();
  const deltas = cidrs(call, call.params.field('entry', 'entries')).map((c) => delta('added', prefixListId, c));
  const accountHint = list.field('ownerId').str();
  return one(
    name !== undefined
      ? { type: PREFIX_LIST_TYPE, id: prefixListId, name }
      : { type: PREFIX_LIST_TYPE, id: prefixListId },
    deltas,
    accountHint !== undefined ? { accountHint } : {},
  );
}

function modified(call: Call): Outcome {
  const prefixListId = call.required(call.params.field('prefixListId'));
  const deltas = [
    ...cidrs(call, call.params.field('addEntry', 'addEntries')).map((c) => delta('added', prefixListId, c)),
    ...cidrs(call, call.params.field('removeEntry', 'removeEntries')).map((c) => delta('removed', prefixListId, c)),
  ];
  const notes = deltas.length === 0 ? ['ModifyManagedPrefixList changed no entry (name or size only)'] : [];
  return one({ type: PREFIX_LIST_TYPE, id: prefixListId }, deltas, { notes });
}

function restored(call: Call): Outcome {
  const prefixListId = call.required(call.params.field('prefixListId'));
  const version = call.params.field('previousVersion').str();
  return one({ type: PREFIX_LIST_TYPE, id: prefixListId }, [], {
    notes: [
      `entries restored to version ${version ?? '(not logged)'}; CloudTrail does not log which entries that is (the Config item will)`,
    ],
  });
}

/** Prefix-list dispatch rows. */
export const PREFIX_LIST_CALLS: CallEntry[] = [
  { source: EC2, name: 'CreateManagedPrefixList', handle: created },
  { source: EC2, name: 'ModifyManagedPrefixList', handle: modified },
  { source: EC2, name: 'RestoreManagedPrefixListVersion', handle: restored },
  {
    source: EC2,
    name: 'DeleteManagedPrefixList',
    ignore: 'a prefix list still referenced by a security group or route table cannot be deleted; nothing opens',
  },
];
