import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

/** Repository root (this file is test/support/corpus.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared conformance corpus lives beside the clone, never inside it. */
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/corpus');

/** True when ../shared/corpus is present (CI has it beside the clone; see {@link corpusAvailable}). */
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

/**
 * CI checks the corpus out beside the clone (docs/testing.md), so there a missing corpus is a broken checkout:
 * the run must fail, not pass with the conformance suites skipped. `.ci/run` and GitHub Actions set CI=true.
 */
/**
 * The console stream's pages (../shared/corpus/streams/README: exactly four medium-or-higher findings), as
 * `<changeId> <category>`, sorted: both conformance suites (judged alone, and with kept state) expect exactly these.
 */
export const CONSOLE_STREAM_PAGES: readonly string[] = [
  '4655f9ca-e3d2-43a9-bf0f-5b44a808b699 sg-open-world',
  'fda2c392-49a1-464e-be83-d717e7d4769c sg-open-world',
  '4cd3eb78-34e5-453e-a433-c632807f606d trail-stopped',
  '4b474718-eb4e-48a5-b07a-5d29d4f20368 trail-stopped',
].sort();

export const IN_CI = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');

/**
 * Gate of a suite that reads ../shared/corpus — call it at the top level of the test file:
 * `describe.skipIf(!corpusAvailable('corpus conformance'))(…)`. True when the corpus is there. When it is not:
 * in CI, registers a failing test that says what is missing; elsewhere prints one line and the suite is reported as
 * skipped (never as passed).
 */
export function corpusAvailable(suite: string): boolean {
  if (HAS_CORPUS) return true;
  const message = `${suite}: the shared corpus is missing (${CORPUS_DIR}); it belongs beside the repository`;
  if (IN_CI)
    it(`${suite} has the shared corpus`, () => {
      throw new Error(`${message}. CI must check it out.`);
    });
  else console.warn(`${message} — skipped here (CI fails instead)`);
  return false;
}
