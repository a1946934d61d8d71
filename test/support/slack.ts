/** Every mrkdwn text object in a Block Kit structure. */
export function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  return [
    ...(o['type'] === 'mrkdwn' && typeof o['text'] === 'string' ? [o['text']] : []),
    ...Object.values(o).flatMap(mrkdwnTexts),
  ];
}
