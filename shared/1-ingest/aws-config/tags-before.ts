import type { ConfigurationItem, ConfigurationItemDiff } from './message.ts';

/**
 * The resource's tags as they were *before* the change a Config item records: approvals with a tag scope match these,
 * because whoever makes a change can also retag the resource in the same change.
 *
 * Config reports tag changes in `configurationItemDiff.changedProperties` as `Tags.<key>` (previousValue /
 * updatedValue strings), next to `Configuration.Tags.N` / `SupplementaryConfiguration.Tags.N` list entries. We undo the
 * `Tags.<key>` entries on the item's tags. When a tag list changed but no `Tags.<key>` entry says how, or a previous
 * value is not a string, the tags before are unknown: `undefined` (an approval's tag scope then fails closed). A
 * resource the item discovered had no tags before: `{}`.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html (changedProperties)
 */
export function tagsBeforeChange(
  item: Pick<ConfigurationItem, 'tags' | 'configurationItemStatus'>,
  diff: ConfigurationItemDiff | undefined,
): Record<string, string> | undefined {
  if (item.configurationItemStatus === 'ResourceDiscovered') return {};
  const before = stringTags(item.tags);
  const properties = Object.entries(diff?.changedProperties ?? {});
  let undone = 0;
  let tagListChanged = false;
  for (const [path, property] of properties) {
    const key = /^Tags\.(.+)$/.exec(path)?.[1];
    if (key === undefined) {
      if (/(^|\.)Tags(\.|$)/i.test(path)) tagListChanged = true;
      continue;
    }
    undone += 1;
    if (property.changeType === 'CREATE') {
      delete before[key];
      continue;
    }
    if (typeof property.previousValue !== 'string') return undefined;
    before[key] = property.previousValue;
  }
  return tagListChanged && undone === 0 ? undefined : before;
}

/** The item's tags with string values only (Config writes `{key: value}`). */
function stringTags(tags: unknown): Record<string, string> {
  if (typeof tags !== 'object' || tags === null) return {};
  return Object.fromEntries(Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Tags before, from two whole items (an oversized change fetched from the history): the previous item's tags, or `{}`
 * when there is none (the resource was just created).
 */
export function tagsOfPrevious(previous: Pick<ConfigurationItem, 'tags'> | undefined): Record<string, string> {
  return previous === undefined ? {} : stringTags(previous.tags);
}
