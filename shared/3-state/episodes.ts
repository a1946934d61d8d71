import { createHash } from 'node:crypto';
import type { Episode, EpisodeMark, EpisodeTransition, Exposure } from '../model/exposure.ts';
import { exposuresOverlap } from '../net/exposure.ts';

/**
 * Episodes from exposures: after each change, the resource's open episodes are matched with the exposures its new
 * state has.
 *
 * Matching is by overlap within a group (same kind, resource and family): an exposure that overlaps an open episode's
 * exposures continues that episode — tcp/22 widened to tcp/0-1024, or narrowed back, is the same hole. Overlap links
 * form components; in each component:
 * - open episodes and exposures → the oldest episode continues with the component's exposures; any other episode of
 *   the component closes as `merged` (two holes became one);
 * - exposures only → a new episode opens;
 * - episodes only → they close (`gone`).
 * The result depends only on the open episodes and the new exposures, so re-evaluating the same state changes
 * nothing, and an episode id is a hash of what opened it (the same change opens the same id on a retry).
 */

/** Where the episodes live. */
export interface EpisodeScope {
  resource: { type: string; id: string };
  account: string;
  region: string;
}

/** The open episodes after the change and what happened to each. */
export interface EpisodeOutcome {
  open: Episode[];
  transitions: EpisodeTransition[];
}

/** Match `open` episodes with the state's `exposures` (see the module comment). */
export function transitionEpisodes(
  open: readonly Episode[],
  exposures: readonly Exposure[],
  mark: EpisodeMark,
  scope: EpisodeScope,
): EpisodeOutcome {
  // Union-find over nodes: episodes 0..E-1, exposures E..E+X-1.
  const parent = Array.from({ length: open.length + exposures.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  open.forEach((episode, e) => {
    exposures.forEach((exposure, x) => {
      if (episode.exposures.some((had) => exposuresOverlap(had, exposure))) union(e, open.length + x);
    });
  });
  // Exposures of one group that overlap each other belong together too.
  exposures.forEach((a, i) => {
    exposures.forEach((b, j) => {
      if (j > i && exposuresOverlap(a, b)) union(open.length + i, open.length + j);
    });
  });

  const components = new Map<number, { episodes: Episode[]; exposures: Exposure[] }>();
  const component = (root: number) => {
    let c = components.get(root);
    if (!c) components.set(root, (c = { episodes: [], exposures: [] }));
    return c;
  };
  for (const [e, episode] of open.entries()) component(find(e)).episodes.push(episode);
  for (const [x, exposure] of exposures.entries()) component(find(open.length + x)).exposures.push(exposure);

  const next: Episode[] = [];
  const transitions: EpisodeTransition[] = [];
  for (const { episodes, exposures: held } of components.values()) {
    const ordered = [...episodes].sort(byOpening);
    if (held.length === 0) {
      for (const episode of ordered)
        transitions.push({ change: 'closed', episode: { ...episode, closed: mark, closeReason: 'gone' } });
      continue;
    }
    const keeper = ordered[0];
    if (keeper === undefined) {
      const episode: Episode = {
        id: episodeId(scope, held, mark),
        kind: held[0]!.kind,
        resource: scope.resource,
        account: scope.account,
        region: scope.region,
        group: held[0]!.group,
        exposures: sortExposures(held),
        opened: mark,
      };
      next.push(episode);
      transitions.push({ change: 'opened', episode });
      continue;
    }
    const continued: Episode = { ...keeper, exposures: sortExposures(held) };
    next.push(continued);
    transitions.push({ change: 'continued', episode: continued });
    for (const merged of ordered.slice(1))
      transitions.push({ change: 'closed', episode: { ...merged, closed: mark, closeReason: 'merged' } });
  }
  next.sort(byOpening);
  return { open: next, transitions };
}

function byOpening(a: Episode, b: Episode): number {
  return a.opened.at < b.opened.at ? -1 : a.opened.at > b.opened.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sortExposures(list: readonly Exposure[]): Exposure[] {
  return [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** `ep-` + 16 hex: the resource, the group, what opened it and the exposures it opened with. */
export function episodeId(scope: EpisodeScope, exposures: readonly Exposure[], mark: EpisodeMark): string {
  const text = [
    scope.region,
    scope.resource.id,
    exposures[0]?.group ?? '',
    mark.changeId,
    ...exposures.map((e) => e.key).sort(),
  ].join('\n');
  return `ep-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** True when the transitions change anything (an episode opened or closed, or its exposures moved). */
export function episodesChanged(before: readonly Episode[], transitions: readonly EpisodeTransition[]): boolean {
  return transitions.some((t) => {
    if (t.change !== 'continued') return true;
    const was = before.find((e) => e.id === t.episode.id);
    return (
      was === undefined ||
      was.exposures.map((e) => `${e.key}:${e.label}`).join('|') !==
        t.episode.exposures.map((e) => `${e.key}:${e.label}`).join('|')
    );
  });
}
