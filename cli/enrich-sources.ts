import {
  liveConfigHistory,
  liveLookupEvents,
  livePrefixListEntries,
  liveResourceConfig,
} from '../shared/2-enrich/live-clients.ts';
import {
  recordedConfigHistory,
  recordedLookupEvents,
  recordedPrefixListEntries,
  recordedResourceConfig,
} from '../shared/2-enrich/recorded.ts';
import type { EnrichDeps } from '../shared/2-enrich/enrich.ts';
import { ApiStateLookup, type StateLookup } from '../shared/2-enrich/state-lookup.ts';
import { TrailLookup } from '../shared/2-enrich/trail-lookup.ts';

/**
 * The AWS look-ups behind `--enrich` (live clients) and `--recorded-aws DIR` (recorded answers), built by
 * cli/enrich-options.ts only when one of the flags is given: a run without them never loads the enrichment code or the
 * SDK plumbing.
 */

/** Enrichment from recorded answers (`dir`) or live AWS calls; `timing` bounds the actor look-up. */
export function enrichSources(recorded: string | undefined, timing: { waitMs?: number }): EnrichDeps {
  // Recorded answers cost nothing: no need to pace them at the LookupEvents limit.
  if (recorded !== undefined)
    return {
      configHistory: recordedConfigHistory(recorded),
      trail: new TrailLookup(recordedLookupEvents(recorded), { ratePerSecond: 1000 }),
      resources: recordedResourceConfig(recorded),
      ...timing,
    };
  return {
    configHistory: liveConfigHistory(),
    trail: new TrailLookup(liveLookupEvents()),
    resources: liveResourceConfig(),
    ...timing,
  };
}

/** The state step's look-ups from recorded answers (`dir`) or live AWS calls. */
export function stateLookupSources(recorded: string | undefined): StateLookup {
  if (recorded !== undefined)
    return new ApiStateLookup({
      resources: recordedResourceConfig(recorded),
      prefixListEntries: recordedPrefixListEntries(recorded),
    });
  return new ApiStateLookup({ resources: liveResourceConfig(), prefixListEntries: livePrefixListEntries() });
}
