import { MalformedInputError } from '../../platform/errors.ts';
import type { InputLocation } from '../../platform/errors.ts';
import { escapePointerToken } from '../../platform/json.ts';

/**
 * JSON Pointer (RFC 6901) helpers for error locations. Every Config error names the path inside the message
 * (`/configurationItem/configuration/ipPermissions/0`) so a responder can find the bad value.
 * @see https://www.rfc-editor.org/rfc/rfc6901
 */
export function pointer(base: string, ...segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((path, segment) => `${path}/${escapePointerToken(segment)}`, base);
}

/** A {@link MalformedInputError} at `path` inside the record `where` points to (the record's own path is kept). */
export function malformedAt(where: InputLocation, path: string, message: string, cause?: unknown): MalformedInputError {
  return new MalformedInputError(
    message,
    { ...where, path: `${where.path ?? ''}${path}` },
    cause === undefined ? undefined : { cause },
  );
}
