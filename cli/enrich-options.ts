import { DEFAULT_MAX_LINE_CHARS, type DecodeLimits } from '../shared/1-ingest/envelope/decode-stream.ts';
import { readFile } from 'node:fs/promises';
import { UsageError } from './commands/command.ts';
import type { EnrichDeps } from '../shared/2-enrich/enrich.ts';
import type { StateLookup } from '../shared/2-enrich/state-lookup.ts';
import { EMPTY_CONTEXT, type RuleContext } from '../shared/model/rule.ts';

/** `--max-line-mb N`: JSON Lines lines longer than N Mi characters are skipped with an error naming file and line. */
export const MAX_LINE_HELP = `  --max-line-mb N        longest JSON Lines line read, in Mi characters (default ${DEFAULT_MAX_LINE_CHARS / 1024 / 1024}); longer lines
                         are skipped with an error naming the file and line`;

/**
 * CLI options shared by `classify` and `replay`: `--context FILE`, and enrichment, which is off unless asked for so
 * the CLI works offline: `--enrich` calls AWS (default credential chain), `--recorded-aws DIR` answers the same calls
 * from recorded API responses (shared/2-enrich/recorded.ts) — what `npm start` uses to show enrichment with no AWS access.
 */
export const ENRICH_OPTIONS = {
  context: { type: 'string' },
  enrich: { type: 'boolean', default: false },
  'recorded-aws': { type: 'string' },
  'wait-ms': { type: 'string' },
  'max-line-mb': { type: 'string' },
} as const;

export const ENRICH_HELP = `  --context FILE         estate facts (JSON): internalVpcIds, internalVpcTag, knownAccounts,
                         networkConfigRules, automationRoles, adjust {rootActor, longTermKeys, sgAttachments}
  --enrich               call AWS: fetch oversized Config items (GetResourceConfigHistory), look up
                         actors of Config changes (CloudTrail LookupEvents), ENIs/VPC tags (BatchGetResourceConfig)
  --recorded-aws DIR     like --enrich, answered from recorded API responses in DIR (offline)
  --wait-ms N            longest wait for actor / neighbour look-ups (default 2000)
${MAX_LINE_HELP}`;

/** The decode limits from `--max-line-mb`. */
export function limitsOption(values: Record<string, unknown>): DecodeLimits {
  const raw = values['max-line-mb'];
  if (raw === undefined) return {};
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0 || mb > 256)
    throw new OptionError(`--max-line-mb must be a number of Mi characters between 0 and 256, not "${String(raw)}"`);
  return { maxLineChars: Math.floor(mb * 1024 * 1024) };
}

/** Raised for bad option values; main prints usage (a {@link UsageError}). */
export class OptionError extends UsageError {}

/** The rule context from `--context`, or the empty context. */
export async function contextOption(value: unknown): Promise<RuleContext> {
  if (typeof value !== 'string') return EMPTY_CONTEXT;
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    throw new OptionError(`--context ${value}: ${(error as Error).message}`);
  }
  try {
    const { parseContext } = await import('../shared/4-classify/context.ts');
    return parseContext(JSON.parse(text) as unknown);
  } catch (error) {
    throw new OptionError(`--context ${value}: ${(error as Error).message}`);
  }
}

/** Enrichment dependencies from `--enrich` / `--recorded-aws`, or undefined (offline, the default). */
export async function enrichOption(values: Record<string, unknown>): Promise<EnrichDeps | undefined> {
  const recorded = values['recorded-aws'];
  const live = values['enrich'] === true;
  if (live && typeof recorded === 'string') throw new OptionError('--enrich and --recorded-aws exclude each other');
  const wait = values['wait-ms'];
  const waitMs = wait === undefined ? undefined : Number(wait);
  if (waitMs !== undefined && (!Number.isInteger(waitMs) || waitMs < 0))
    throw new OptionError(`--wait-ms must be a whole number of ms, not "${String(wait)}"`);
  if (typeof recorded !== 'string' && !live) return undefined;
  const { enrichSources } = await import('./enrich-sources.ts');
  return enrichSources(typeof recorded === 'string' ? recorded : undefined, waitMs !== undefined ? { waitMs } : {});
}

/**
 * The state step's on-demand look-ups with the same sources as enrichment: `--recorded-aws DIR` answers
 * BatchGetResourceConfig and GetManagedPrefixListEntries from DIR, `--enrich` calls AWS; otherwise none (a resource
 * the input never showed is judged on what its change shows, the worst case assumed for unknown prefix lists).
 */
export async function stateLookupOption(values: Record<string, unknown>): Promise<StateLookup | undefined> {
  const recorded = values['recorded-aws'];
  if (typeof recorded !== 'string' && values['enrich'] !== true) return undefined;
  const { stateLookupSources } = await import('./enrich-sources.ts');
  return stateLookupSources(typeof recorded === 'string' ? recorded : undefined);
}
