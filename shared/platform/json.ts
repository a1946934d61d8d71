/**
 * Small JSON helpers every layer reads attacker-supplied JSON with: one narrowing of "a JSON object" and one JSON
 * Pointer escape for the paths that errors name (`/Records/1/requestParameters/ipPermissions/items/0`).
 */

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object: what a parsed JSON object is, and what a key may be read from. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One JSON Pointer reference token: `~` → `~0` and `/` → `~1`, in that order, so a key such as `a/b` stays one step
 * of the path. https://www.rfc-editor.org/rfc/rfc6901#section-3
 */
export function escapePointerToken(token: PropertyKey): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}
