import { describe, expect, it } from 'vitest';
import type { ChangedProperty, ReconstructInput } from '../../../shared/1-ingest/aws-config/item-diff.ts';
import { reconstruct } from '../../../shared/1-ingest/aws-config/item-diff.ts';

function input(
  configuration: unknown,
  changedProperties: Record<string, ChangedProperty> | undefined,
  status: ReconstructInput['status'] = 'OK',
): ReconstructInput {
  return {
    status,
    configuration,
    supplementaryConfiguration: {},
    relationships: [],
    diff: changedProperties === undefined ? undefined : { changeType: 'UPDATE', changedProperties },
    itemPointer: '/configurationItem',
    diffPointer: '/configurationItemDiff/changedProperties',
  };
}

describe('reconstruct (before state from configurationItemDiff)', () => {
  it('inverts CREATE (removed), DELETE (put back) and UPDATE (rolled back) on lists, matching elements by value', () => {
    // Prepare: the new list has B then C; A was deleted at old index 0, C created at new index 1.
    const after = { items: [{ n: 'B' }, { n: 'C' }] };
    // Act
    const { before, lifecycle } = reconstruct(
      input(after, {
        'Configuration.Items.0': { previousValue: { n: 'A' }, updatedValue: null, changeType: 'DELETE' },
        'Configuration.Items.1': { previousValue: null, updatedValue: { n: 'C' }, changeType: 'CREATE' },
      }),
    );
    // Assess
    expect(lifecycle).toBe('updated');
    expect(before?.configuration).toEqual({ items: [{ n: 'B' }, { n: 'A' }] });
    expect(after).toEqual({ items: [{ n: 'B' }, { n: 'C' }] });
  });

  it('rolls back nested object fields and recreates containers a DELETE needs', () => {
    const { before } = reconstruct(
      input(
        { status: { code: 'active' } },
        {
          'Configuration.Status.Code': {
            previousValue: 'pending-acceptance',
            updatedValue: 'active',
            changeType: 'UPDATE',
          },
          'Configuration.Options.StaticRoutesOnly': { previousValue: true, updatedValue: null, changeType: 'DELETE' },
        },
      ),
    );
    expect(before?.configuration).toEqual({
      status: { code: 'pending-acceptance' },
      options: { staticRoutesOnly: true },
    });
  });

  it('when the configuration disagrees with a CREATE, the diff wins at its index on both sides', () => {
    const { before, after } = reconstruct(
      input(
        { items: [{ n: 'X' }, { n: 'Y' }] },
        { 'Configuration.Items.1': { previousValue: null, updatedValue: { n: 'Z' }, changeType: 'CREATE' } },
      ),
    );
    expect(after?.configuration).toEqual({ items: [{ n: 'X' }, { n: 'Z' }] });
    expect(before?.configuration).toEqual({ items: [{ n: 'X' }] });
  });

  it('ignores key order, key case and null fields when matching list elements', () => {
    const { before } = reconstruct(
      input(
        { items: [{ a: 1, b: 'x' }] },
        {
          'Configuration.Items.0': {
            previousValue: null,
            updatedValue: { B: 'x', A: 1, c: null },
            changeType: 'CREATE',
          },
        },
      ),
    );
    expect(before?.configuration).toEqual({ items: [] });
  });

  it('lifecycles: discovered, deleted (whole configuration put back), unchanged (no diff), whole-Configuration CREATE', () => {
    expect(reconstruct(input({ a: 1 }, undefined, 'ResourceDiscovered'))).toMatchObject({
      lifecycle: 'created',
      before: undefined,
    });
    expect(reconstruct(input({ a: 1 }, undefined))).toMatchObject({
      lifecycle: 'unchanged',
      before: { configuration: { a: 1 } },
    });
    const deleted = reconstruct(
      input(
        null,
        { Configuration: { previousValue: { a: 1 }, updatedValue: null, changeType: 'DELETE' } },
        'ResourceDeleted',
      ),
    );
    expect(deleted).toMatchObject({ lifecycle: 'deleted', after: undefined, before: { configuration: { a: 1 } } });
    expect(reconstruct(input(null, undefined, 'ResourceDeleted'))).toMatchObject({
      lifecycle: 'deleted',
      before: undefined,
      after: undefined,
    });
    expect(
      reconstruct(
        input({ a: 1 }, { Configuration: { previousValue: null, updatedValue: { a: 1 }, changeType: 'CREATE' } }),
      ),
    ).toMatchObject({
      lifecycle: 'created',
      before: undefined,
    });
  });

  it('locates values: copied ones at their configuration path, restored ones at their diff entry', () => {
    const states = reconstruct(
      input(
        { items: [{ n: 'B' }] },
        { 'Configuration.Items.0': { previousValue: { n: 'A' }, updatedValue: { n: 'B' }, changeType: 'UPDATE' } },
      ),
    );
    expect(states.origins.locate(states.after, ['configuration', 'items', 0, 'n'])).toBe(
      '/configurationItem/configuration/items/0/n',
    );
    expect(states.origins.locate(states.before, ['configuration', 'items', 0, 'n'])).toBe(
      '/configurationItemDiff/changedProperties/Configuration.Items.0/previousValue/n',
    );
  });
});
