import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is test/support/corpus.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared conformance corpus lives beside the clone, never inside it. */
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/corpus');

/** True when ../shared/corpus is present (CI has it beside the clone). */
export const HAS_CORPUS = existsSync(join(CORPUS_DIR, 'README.md'));

/** A labelled corpus case (see ../shared/corpus/README.md). */
export interface CorpusCase {
  id: string;
  wrapper: string;
  description: string;
  expected: { risky: boolean; category: string; area?: string; why: string; borderline?: boolean };
  event?: unknown;
  notification?: unknown;
  envelope?: unknown;
}

/** Every case of the corpus, CloudTrail then Config, sorted by id. */
export function loadCorpus(): CorpusCase[] {
  if (!HAS_CORPUS) return [];
  const out: CorpusCase[] = [];
  for (const sub of ['cloudtrail', 'config']) {
    const dir = join(CORPUS_DIR, sub);
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CorpusCase);
    }
  }
  return out;
}

/** What to feed: the whole wrapper when present, else the bare record or message. */
export function corpusInput(c: CorpusCase): unknown {
  return structuredClone(c.envelope ?? c.event ?? c.notification);
}

/** Print a one-line skip reason once, so a missing corpus is visible in the log. */
export function announceMissingCorpus(suite: string): void {
  if (!HAS_CORPUS) console.log(`${suite}: skipped — ../shared/corpus not found beside the repository (${CORPUS_DIR})`);
}
