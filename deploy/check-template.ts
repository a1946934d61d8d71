import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';
import { isObject } from '../shared/platform/json.ts';

/**
 * Offline CloudFormation template validation against the CloudFormation resource specification as packaged by
 * `@aws-cdk/aws-service-spec` (no AWS account, no cfn-lint here): every resource type exists; every property name
 * exists (recursively, into nested property types); required properties are present; primitive types match where
 * the value is a literal; `Ref` / `Fn::GetAtt` / `Fn::Sub` `${…}` name resources, parameters or pseudo parameters
 * that exist, and GetAtt attributes exist on the target type; `DependsOn` and `Condition` name things that exist.
 * @see https://github.com/cdklabs/awscdk-service-spec
 */

export interface TemplateProblem {
  /** Logical id (or section) and JSON path. */
  where: string;
  message: string;
}

export interface CheckResult {
  resources: number;
  problems: TemplateProblem[];
}

type Obj = Record<string, unknown>;

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NotificationARNs',
  'AWS::NoValue',
]);
const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::FindInMap',
  'Fn::Cidr',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::ToJsonString',
  'Fn::Length',
  'Condition',
]);
/** Attributes every resource accepts besides Type/Properties. */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);

let cached: Promise<SpecDatabase> | undefined;
/** The spec database (≈1.5 s to load; loaded once per process). */
export function specDatabase(): Promise<SpecDatabase> {
  cached ??= loadAwsServiceSpec();
  return cached;
}

/** Validate a parsed template. */
export async function checkTemplate(template: unknown): Promise<CheckResult> {
  const db = await specDatabase();
  const problems: TemplateProblem[] = [];
  if (!isObject(template) || !isObject(template['Resources']))
    return { resources: 0, problems: [{ where: '(template)', message: 'no Resources section' }] };
  const resources = template['Resources'] as Obj;
  const parameters = isObject(template['Parameters']) ? (template['Parameters'] as Obj) : {};
  const conditions = isObject(template['Conditions']) ? (template['Conditions'] as Obj) : {};
  const types = new Map<string, Resource | undefined>();
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource['Type'] !== 'string') {
      problems.push({ where: id, message: 'resource without a Type' });
      continue;
    }
    const type = resource['Type'];
    const spec = db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
    types.set(id, spec);
    if (!spec && !type.startsWith('Custom::')) problems.push({ where: id, message: `unknown resource type ${type}` });
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key)) problems.push({ where: id, message: `unknown resource attribute ${key}` });
  }
  const refTargets = new Set([...Object.keys(resources), ...Object.keys(parameters), ...PSEUDO]);
  const checkRefs = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) checkRefs(v, `${where}/${i}`);
      return;
    }
    if (!isObject(value)) return;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn];
      if (fn === 'Ref') {
        if (typeof arg !== 'string' || !refTargets.has(arg))
          problems.push({ where, message: `Ref to unknown ${JSON.stringify(arg)}` });
        return;
      }
      if (fn === 'Fn::GetAtt') {
        const [target, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split(/\.(.*)/s) : [];
        checkGetAtt(target, attribute, where);
        return;
      }
      if (fn === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        if (typeof text !== 'string') problems.push({ where, message: 'Fn::Sub without a string' });
        else {
          const local = new Set(isObject(vars) ? Object.keys(vars) : []);
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (m[1] ?? '').trim();
            if (local.has(name)) continue;
            if (name.includes('.')) {
              const [target, attribute] = name.split(/\.(.*)/s);
              checkGetAtt(target, attribute, where);
            } else if (!refTargets.has(name))
              problems.push({ where, message: `Fn::Sub references unknown \${${name}}` });
          }
        }
        if (isObject(vars)) checkRefs(vars, `${where}/Fn::Sub/1`);
        return;
      }
      if (fn === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string' && !(arg[0] in conditions))
        problems.push({ where, message: `Fn::If on unknown condition ${arg[0]}` });
    }
    for (const [k, v] of Object.entries(value)) checkRefs(v, `${where}/${k}`);
  };
  const checkGetAtt = (target: unknown, attribute: unknown, where: string): void => {
    if (typeof target !== 'string' || !(target in resources))
      return void problems.push({ where, message: `Fn::GetAtt on unknown resource ${JSON.stringify(target)}` });
    const spec = types.get(target);
    if (!spec || typeof attribute !== 'string') return;
    const attrs = Object.keys(spec.attributes);
    if (!attrs.includes(attribute))
      problems.push({
        where,
        message: `${spec.cloudFormationType} ${target} has no attribute ${attribute} (has: ${attrs.join(', ') || 'none'})`,
      });
  };

  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const spec = types.get(id);
    const props = resource['Properties'];
    if (props !== undefined && !isObject(props))
      problems.push({ where: `${id}/Properties`, message: 'Properties is not an object' });
    if (spec) checkProperties(db, spec.properties, isObject(props) ? props : {}, `${id}/Properties`, problems, spec);
    checkRefs(props, `${id}/Properties`);
    const dependsOn = resource['DependsOn'];
    for (const dep of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn]) {
      if (typeof dep !== 'string' || !(dep in resources))
        problems.push({ where: `${id}/DependsOn`, message: `DependsOn unknown resource ${JSON.stringify(dep)}` });
    }
    if (resource['Condition'] !== undefined && !(String(resource['Condition']) in conditions))
      problems.push({ where: `${id}/Condition`, message: `unknown condition ${String(resource['Condition'])}` });
  }
  if (isObject(template['Outputs'])) checkRefs(template['Outputs'], 'Outputs');
  checkRefs(conditions, 'Conditions');
  return { resources: Object.keys(resources).length, problems };
}

function checkProperties(
  db: SpecDatabase,
  spec: Record<string, Property>,
  props: Obj,
  where: string,
  problems: TemplateProblem[],
  owner: Resource | TypeDefinition,
): void {
  for (const [name, property] of Object.entries(spec)) {
    if (property.required && !(name in props)) problems.push({ where, message: `missing required property ${name}` });
  }
  for (const [name, value] of Object.entries(props)) {
    const property = spec[name];
    if (!property) {
      problems.push({
        where: `${where}/${name}`,
        message: `unknown property ${name} of ${'cloudFormationType' in owner ? owner.cloudFormationType : owner.name} (known: ${Object.keys(spec).sort().join(', ')})`,
      });
      continue;
    }
    checkValue(db, [property.type, ...(property.previousTypes ?? [])], value, `${where}/${name}`, problems);
  }
}

/** Check a value against the property's types (any of them may match: the spec keeps previous types). */
function checkValue(
  db: SpecDatabase,
  types: readonly PropertyType[],
  value: unknown,
  where: string,
  problems: TemplateProblem[],
): void {
  if (isIntrinsic(value)) return;
  const attempts = types.map((type) => {
    const local: TemplateProblem[] = [];
    checkOne(db, type, value, where, local);
    return local;
  });
  if (attempts.some((a) => a.length === 0)) return;
  problems.push(...(attempts[0] ?? []));
}

function checkOne(
  db: SpecDatabase,
  type: PropertyType,
  value: unknown,
  where: string,
  problems: TemplateProblem[],
): void {
  if (isIntrinsic(value)) return;
  switch (type.type) {
    case 'string':
    case 'date-time':
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        problems.push({ where, message: `expected a string, found ${describe(value)}` });
      return;
    case 'number':
    case 'integer':
      if (
        typeof value !== 'number' &&
        !(typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
      )
        problems.push({ where, message: `expected a number, found ${describe(value)}` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
        problems.push({ where, message: `expected a boolean, found ${describe(value)}` });
      return;
    case 'json':
    case 'null':
      return;
    case 'tag':
      if (!isObject(value) || !('Key' in value)) problems.push({ where, message: 'expected a tag {Key, Value}' });
      return;
    case 'array':
      if (!Array.isArray(value))
        return void problems.push({ where, message: `expected a list, found ${describe(value)}` });
      for (const [i, item] of value.entries()) checkValue(db, [type.element], item, `${where}/${i}`, problems);
      return;
    case 'map':
      if (!isObject(value)) return void problems.push({ where, message: `expected a map, found ${describe(value)}` });
      for (const [k, v] of Object.entries(value)) checkValue(db, [type.element], v, `${where}/${k}`, problems);
      return;
    case 'union':
      checkValue(db, type.types, value, where, problems);
      return;
    case 'ref': {
      const def = db.get('typeDefinition', type.reference.$ref);
      if (!isObject(value))
        return void problems.push({ where, message: `expected a ${def.name} object, found ${describe(value)}` });
      checkProperties(db, def.properties, value, where, problems, def);
      return;
    }
    default:
      return;
  }
}

function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.has(keys[0] as string);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
