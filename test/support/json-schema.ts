/**
 * A small structural validator for the JSON Schema subset our published schemas use (type incl. arrays of types, const,
 * enum, required, properties, additionalProperties, items, $ref into #/$defs, oneOf, anyOf, minLength/maxLength,
 * minimum, pattern). Enough to keep schema and code in step without adding a dependency; `format` is not checked.
 */
export type Schema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every problem as `path: message`; empty when valid. */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    const name = ref.replace('#/$defs/', '');
    const def = (root.$defs as Record<string, Schema> | undefined)?.[name];
    if (!def) throw new Error(`unresolvable $ref ${ref}`);
    return def;
  };
  const check = (schema: Schema, v: unknown, path: string): void => {
    if (typeof schema.$ref === 'string') {
      check(resolve(schema.$ref), v, path);
      return;
    }
    if ('const' in schema && v !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
    if (Array.isArray(schema.enum) && !schema.enum.includes(v))
      errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => matchesType(v, t)))
        return void errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
    }
    if (Array.isArray(schema.oneOf)) {
      const passing = (schema.oneOf as Schema[]).filter(
        (s) => validate({ $defs: root.$defs, ...s }, v).length === 0,
      ).length;
      if (passing !== 1) errors.push(`${path}: matches ${passing} of oneOf, expected exactly 1`);
    }
    if (Array.isArray(schema.anyOf)) {
      const failures = (schema.anyOf as Schema[]).map((s) => validate({ $defs: root.$defs, ...s }, v));
      if (!failures.some((f) => f.length === 0))
        errors.push(`${path}: matches none of anyOf (${failures.map((f) => f.join('; ')).join(' | ')})`);
    }
    if (typeof v === 'string') {
      if (typeof schema.minLength === 'number' && v.length < schema.minLength)
        errors.push(`${path}: shorter than ${schema.minLength}`);
      if (typeof schema.maxLength === 'number' && v.length > schema.maxLength)
        errors.push(`${path}: longer than ${schema.maxLength}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(v))
        errors.push(`${path}: does not match ${schema.pattern}`);
    }
    if (typeof v === 'number' && typeof schema.minimum === 'number' && v < schema.minimum)
      errors.push(`${path}: below ${schema.minimum}`);
    if (Array.isArray(v) && schema.items)
      for (const [i, item] of v.entries()) check(schema.items as Schema, item, `${path}/${i}`);
    if (typeOf(v) === 'object') {
      const object = v as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required as string[] | undefined) ?? [])
        if (!(key in object)) errors.push(`${path}: missing required ${key}`);
      for (const [key, child] of Object.entries(object)) {
        const propertySchema = properties[key];
        if (propertySchema) check(propertySchema, child, `${path}/${key}`);
        else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
        else if (typeof schema.additionalProperties === 'object')
          check(schema.additionalProperties as Schema, child, `${path}/${key}`);
      }
    }
  };
  check(root, value, '');
  return errors;
}
