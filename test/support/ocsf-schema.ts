import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A validator built from the OCSF schema's own source files (test/fixtures/ocsf-1.1.0: the dictionary, categories,
 * the event classes, objects, profiles and includes of github.com/ocsf/ocsf-schema at tag v1.1.0, Apache-2.0, kept
 * as they are there). It compiles a class the way the schema server does — `extends` chains, `$include`d profiles
 * and includes, class-level overrides of dictionary attributes merged over the dictionary's (enums too) — and
 * checks an event against it:
 * - `class_uid` = category uid × 1000 + class uid, `type_uid` = class_uid × 100 + activity_id, `category_uid`;
 * - every required attribute is present (profile attributes only when the profile is in `metadata.profiles`);
 * - no attribute the class (or object) does not define;
 * - types: strings, integers (`integer_t`, `long_t`, `timestamp_t`), floats, booleans, `json_t` anything, objects
 *   recursively, arrays where the dictionary says `is_array`; `ip_t` must be an IP address;
 * - enum values (`*_id`) from the enum in force;
 * - objects' `at_least_one` constraints.
 * @see https://github.com/ocsf/ocsf-schema/tree/v1.1.0
 */

type Json = Record<string, unknown>;
interface AttrDef {
  type?: string;
  is_array?: boolean;
  enum?: Record<string, unknown>;
  requirement?: string;
  profile?: string | null;
}
interface Compiled {
  attributes: Record<string, AttrDef>;
  constraints?: { at_least_one?: string[] };
}

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'ocsf-1.1.0');
const read = (path: string): Json => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Json;

const dictionary = read('dictionary.json') as {
  attributes: Record<string, AttrDef>;
  types: { attributes: Record<string, { type?: string }> };
};
const categories = (read('categories.json') as { attributes: Record<string, { uid: number }> }).attributes;

/** Every file of a folder (recursively), by its JSON `name`. */
function byName(dir: string): Map<string, { file: string; json: Json }> {
  const out = new Map<string, { file: string; json: Json }>();
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.json')) continue;
    const file = join(e.parentPath, e.name).slice(ROOT.length + 1);
    const json = read(file);
    out.set(String(json['name'] ?? e.name.replace(/\.json$/, '')), { file, json });
  }
  return out;
}
const events = byName('events');
const objects = byName('objects');

/** Attributes of an `$include`d file, marked with the profile they come from (profiles only). */
function included(path: string): Record<string, AttrDef> {
  const json = read(path);
  const profile = json['meta'] === 'profile' ? String(json['name']) : undefined;
  const attrs = (json['attributes'] ?? {}) as Record<string, AttrDef>;
  const out: Record<string, AttrDef> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = { ...v, ...(profile ? { profile } : {}) };
  return out;
}

function own(json: Json): Record<string, AttrDef> {
  const attrs = { ...((json['attributes'] ?? {}) as Record<string, unknown>) };
  const includes = (attrs['$include'] as string[] | undefined) ?? [];
  delete attrs['$include'];
  let out: Record<string, AttrDef> = {};
  for (const path of includes) out = { ...out, ...included(path) };
  for (const [k, v] of Object.entries(attrs as Record<string, AttrDef>)) out[k] = { ...out[k], ...v };
  return out;
}

function compile(map: Map<string, { json: Json }>, name: string): Compiled {
  const entry = map.get(name);
  if (!entry) return { attributes: {} };
  const parent = entry.json['extends'] ? compile(map, String(entry.json['extends'])) : { attributes: {} };
  const attributes = { ...parent.attributes };
  for (const [k, v] of Object.entries(own(entry.json))) attributes[k] = { ...attributes[k], ...v };
  const constraints = (entry.json['constraints'] as Compiled['constraints']) ?? parent.constraints;
  return { attributes, ...(constraints ? { constraints } : {}) };
}

/**
 * The definition in force: the dictionary's, with the class's / object's override merged over it — enums too, as the
 * schema compiler merges them (API Activity's Create…Delete join the dictionary's Unknown 0 and Other 99).
 */
function definition(name: string, local: AttrDef): AttrDef {
  const base = dictionary.attributes[name] ?? {};
  const merged = base.enum || local.enum ? { enum: { ...base.enum, ...local.enum } } : {};
  return { ...base, ...local, ...merged };
}

/** The primitive behind a dictionary type (`timestamp_t` → `long_t`). */
function primitive(type: string): string {
  let t = type;
  for (let i = 0; i < 5; i++) {
    const next = dictionary.types.attributes[t]?.type;
    if (!next) return t;
    t = next;
  }
  return t;
}

function checkValue(value: unknown, def: AttrDef, path: string, profiles: string[], problems: string[]): void {
  const type = def.type ?? 'string_t';
  if (def.is_array) {
    if (!Array.isArray(value)) return void problems.push(`${path}: must be an array of ${type}`);
    for (const [i, v] of value.entries())
      checkValue(v, { ...def, is_array: false }, `${path}[${i}]`, profiles, problems);
    return;
  }
  if (objects.has(type)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return void problems.push(`${path}: must be a ${type} object`);
    checkObject(value as Json, compile(objects, type), path, profiles, problems);
    return;
  }
  switch (primitive(type)) {
    case 'string_t':
      if (typeof value !== 'string') problems.push(`${path}: must be a string (${type})`);
      else if (type === 'ip_t' && !/^[\d.]+$|:/.test(value)) problems.push(`${path}: not an IP address`);
      break;
    case 'integer_t':
    case 'long_t':
      if (!Number.isInteger(value)) problems.push(`${path}: must be an integer (${type})`);
      break;
    case 'float_t':
      if (typeof value !== 'number') problems.push(`${path}: must be a number`);
      break;
    case 'boolean_t':
      if (typeof value !== 'boolean') problems.push(`${path}: must be a boolean`);
      break;
    case 'json_t':
      break;
    default:
      if (type !== 'object') problems.push(`${path}: unknown type ${type}`);
  }
  // The classification uids are checked against the class itself (validateOcsf), not the dictionary's placeholder enum.
  const classification = /\.(class_uid|category_uid|type_uid)$/.test(path) && path.split('.').length === 2;
  if (def.enum && !classification && !Object.hasOwn(def.enum, String(value)))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${Object.keys(def.enum).join(', ')}`);
}

function checkObject(value: Json, compiled: Compiled, path: string, profiles: string[], problems: string[]): void {
  // `object` typed attributes (unmapped) are free-form.
  if (Object.keys(compiled.attributes).length === 0) return;
  for (const [name, local] of Object.entries(compiled.attributes)) {
    const required = local.requirement === 'required' && (!local.profile || profiles.includes(local.profile));
    if (required && value[name] === undefined) problems.push(`${path}.${name}: required`);
  }
  for (const [name, v] of Object.entries(value)) {
    const local = compiled.attributes[name];
    if (!local) {
      problems.push(`${path}.${name}: not an attribute of this class / object`);
      continue;
    }
    checkValue(v, definition(name, local), `${path}.${name}`, profiles, problems);
  }
  const oneOf = compiled.constraints?.at_least_one;
  if (oneOf && !oneOf.some((k) => value[k] !== undefined))
    problems.push(`${path}: needs at least one of ${oneOf.join(', ')}`);
}

/** Validate one event; returns the problems (empty = valid). */
export function validateOcsf(event: Json): string[] {
  const problems: string[] = [];
  const classUid = event['class_uid'];
  // A class inherits its category from the class it extends (api_activity → application).
  const categoryOf = (json: Json): { uid: number } | undefined => {
    for (let j: Json | undefined = json, i = 0; j && i < 5; i++) {
      if (j['category'] !== undefined) return categories[String(j['category'])];
      j = j['extends'] ? events.get(String(j['extends']))?.json : undefined;
    }
    return undefined;
  };
  const match = [...events.values()].find(({ json }) => {
    const category = categoryOf(json);
    return json['uid'] !== undefined && category && category.uid * 1000 + Number(json['uid']) === classUid;
  });
  if (!match) return [`class_uid ${String(classUid)}: no such class in OCSF 1.1.0`];
  const category = categoryOf(match.json)!;
  if (event['category_uid'] !== category.uid) problems.push(`category_uid: must be ${category.uid}`);
  if (event['type_uid'] !== Number(classUid) * 100 + Number(event['activity_id']))
    problems.push('type_uid: must be class_uid * 100 + activity_id');
  const profiles = ((event['metadata'] as Json | undefined)?.['profiles'] as string[] | undefined) ?? [];
  checkObject(event, compile(events, String(match.json['name'])), String(match.json['name']), profiles, problems);
  return problems;
}

/** The OCSF version of the vendored schema. */
export const OCSF_SCHEMA_VERSION = String(read('version.json')['version']);
