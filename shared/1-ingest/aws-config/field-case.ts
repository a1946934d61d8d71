import * as z from 'zod';
import { isObject } from '../../platform/json.ts';

/**
 * AWS Config spells configuration fields two ways: the EC2/ELB `Describe*` output in lowerCamelCase
 * (`ipPermissions`, and oddities such as `dNSName` or the classic ELB's `vpcid`), and newer resource types in the
 * CloudFormation schema's PascalCase (`AWS::Config::ConfigurationRecorder` → `Recording`, `RecordingGroup`;
 * `AWS::EC2::TransitGatewayAttachment` → `VpcId`). Diff keys are PascalCase paths (`Configuration.IpPermissions.0`)
 * whatever the item uses. Matching field names case-insensitively absorbs all of these in one place.
 * @see https://github.com/awslabs/aws-config-resource-schema (per-type property names, both casings)
 * @see https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html
 */

/** `IpPermissions` → `ipPermissions` (how Config maps a diff key segment onto the item's field). */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The key of `record` that matches `name` exactly, else case-insensitively. */
export function findKey(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

/** A plain (non-array) object, narrowed: the platform's one {@link isObject}, by the name the Config readers use. */
export { isObject as isRecord };

/** Field `name` of `value` matched case-insensitively; `undefined` when `value` is not an object. */
export function field(value: unknown, name: string): unknown {
  if (!isObject(value)) return undefined;
  const key = findKey(value, name);
  return key === undefined ? undefined : value[key];
}

/**
 * A zod object schema whose keys match the input's keys case-insensitively (the shape's spelling wins). Unknown keys
 * are dropped, so extractors see only what they declared.
 */
export function ciObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const names = Object.keys(shape);
  return z.preprocess((value) => {
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const key = findKey(value, name);
      if (key !== undefined) out[name] = value[key];
    }
    return out;
  }, z.object(shape));
}

/** A string, with Config's `null` for "absent" folded to `undefined`. */
export const optionalString = z.lazy(() =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
);

/** A boolean; old Config items log booleans as `"true"`/`"false"` strings (see the docs' 1.0 example). */
export const optionalBoolean = z.lazy(() =>
  z
    .union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])])
    .nullish()
    .transform((v) => (v === null || v === undefined ? undefined : v === true || String(v).toLowerCase() === 'true')),
);

/** A number as AWS logs it: number or numeric string (`"443"`); left raw for `normalizePorts`. */
export const numberish = z.lazy(() =>
  z
    .union([z.number(), z.string()])
    .nullish()
    .transform((v) => v ?? undefined),
);

/** A list that Config may log as `null`; absent and `null` both become `[]`. */
export function optionalList<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
}

/** A list read leniently: the elements that parse, and one line per element that does not (index and why). */
export interface Lenient<T> {
  items: T[];
  skipped: string[];
}

/**
 * {@link optionalList}, except that an element that does not parse is left out and reported in `skipped` instead of
 * failing the whole item: one unreadable NACL entry or permission never hides its readable siblings (the extractor
 * passes `skipped` to {@link ExtractInput.skip}, and the finding's `why` names it).
 */
export function lenientList<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(z.unknown())
    .nullish()
    .transform((v): Lenient<z.output<T>> => {
      const out: Lenient<z.output<T>> = { items: [], skipped: [] };
      (v ?? []).forEach((element, i) => {
        const parsed = item.safeParse(element);
        if (parsed.success) out.items.push(parsed.data);
        else {
          const issue = parsed.error.issues[0];
          const at = (issue?.path ?? []).map(String).join('.');
          out.skipped.push(`${what} ${i}${at ? ` (${at})` : ''}: ${issue?.message ?? 'unreadable'}`);
        }
      });
      return out;
    });
}
