import { describe, expect, it } from 'vitest';
import { allItems, type ItemPage } from '../../shared/platform/aws/dynamodb.ts';

describe('allItems', () => {
  it('follows LastEvaluatedKey until DynamoDB returns none, asking each page from where the last one stopped', async () => {
    // Prepare: three pages, as DynamoDB cuts a Query at 1 MB.
    const pages: ItemPage[] = [
      { Items: [{ sk: 'a' }, { sk: 'b' }], LastEvaluatedKey: { sk: 'b' } },
      { Items: [], LastEvaluatedKey: { sk: 'b2' } },
      { Items: [{ sk: 'c' }] },
    ];
    const asked: unknown[] = [];
    // Act
    const items = await allItems(async (start) => {
      asked.push(start);
      return pages[asked.length - 1]!;
    });
    // Assess
    expect(items).toEqual([{ sk: 'a' }, { sk: 'b' }, { sk: 'c' }]);
    expect(asked).toEqual([undefined, { sk: 'b' }, { sk: 'b2' }]);
  });
});
