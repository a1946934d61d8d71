/**
 * A count with its noun in the right number — `1 finding`, `2 findings`, `0 findings` — for every message a person
 * reads. English only; `plural` for the nouns that do not take an s (`1 entry`, `2 entries`).
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
