/**
 * The ways an audit-logging update moves, as a closed list both normalizers emit (CloudTrail calls and AWS Config
 * items of trails, recorders and delivery channels): a rule decides on the kind — `trail-stopped` pages high for the
 * kinds that blind a trail — instead of matching free text, and a kind no normalizer emits cannot be named (the
 * type-check refuses it). The text is also what a responder reads (`weakened: multi-region off`), so it stays the
 * words both sources use for the same change.
 *
 * Two shapes: a fixed phrase (`multi-region off`), or a listed one that names what it drops
 * (`network resource types excluded: AWS::EC2::SecurityGroup, AWS::EC2::RouteTable`), built with {@link listed}.
 */

/** Weakenings that are one fixed phrase. */
export const FIXED_WEAKENINGS = [
  // Trail flags (shared/1-ingest/trail-flags.ts).
  'multi-region off',
  'log-file validation off',
  'global service events off',
  'organization trail off',
  // Trails.
  'management events off',
  'destination changed',
  'encryption off',
  'encryption key changed',
  'cloudwatch logs delivery off',
  // Config recorders.
  'all resource types off',
  'global resource types off',
  'role changed',
  'recording nothing',
  'daily recording',
] as const;

/** Weakenings that name what they drop: `<kind>: a, b`. */
export const LISTED_WEAKENINGS = [
  'management event sources excluded',
  'resource types removed',
  'resource types excluded',
  'network resource types excluded',
  'network resource types not recorded',
] as const;

/** Strengthenings that are one fixed phrase. */
export const FIXED_STRENGTHENINGS = [
  'multi-region on',
  'log-file validation on',
  'global service events on',
  'organization trail on',
  'management events on',
  'encryption on',
  'cloudwatch logs delivery on',
  'all resource types on',
  'global resource types on',
  'all resource types recorded',
] as const;

/** Strengthenings that name what they add. */
export const LISTED_STRENGTHENINGS = ['resource types added', 'resource types no longer excluded'] as const;

/** The kind of a weakening: its fixed phrase, or the part before `: ` of a listed one. */
export type WeakeningKind = (typeof FIXED_WEAKENINGS)[number] | (typeof LISTED_WEAKENINGS)[number];
/** One way logging got weaker, as the delta carries it. */
export type Weakening = (typeof FIXED_WEAKENINGS)[number] | `${(typeof LISTED_WEAKENINGS)[number]}: ${string}`;

/** The kind of a strengthening. */
export type StrengtheningKind = (typeof FIXED_STRENGTHENINGS)[number] | (typeof LISTED_STRENGTHENINGS)[number];
/** One way logging got stronger. */
export type Strengthening =
  | (typeof FIXED_STRENGTHENINGS)[number]
  | `${(typeof LISTED_STRENGTHENINGS)[number]}: ${string}`;

/** A listed weakening or strengthening: `kind: a, b`. */
export function listed<K extends (typeof LISTED_WEAKENINGS)[number] | (typeof LISTED_STRENGTHENINGS)[number]>(
  kind: K,
  items: readonly string[],
): `${K}: ${string}` {
  return `${kind}: ${items.join(', ')}`;
}

/** The kind of a weakening. */
export function weakeningKind(weakening: Weakening): WeakeningKind {
  const colon = weakening.indexOf(': ');
  return (colon < 0 ? weakening : weakening.slice(0, colon)) as WeakeningKind;
}
