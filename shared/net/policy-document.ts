import type { PolicyCondition, PolicyState, PolicyStatement } from '../model/change.ts';

/**
 * Parse an IAM policy document (object or JSON string, as CloudTrail and Config log it) into normalized statements.
 * Every element becomes a list; `Principal: "*"` and `{"AWS": "*"}` both become `['*']`; conditions are flattened to
 * (operator, key, values). Absent/empty documents mean AWS's default full-access endpoint policy.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html (default policy = full access)
 * @throws PolicyParseError when the text is not JSON or the shape is not a policy.
 */
export function parsePolicyDocument(input: unknown): PolicyState {
  if (input === undefined || input === null || input === '') return { kind: 'full-access' };
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (cause) {
      throw new PolicyParseError('policy document is not valid JSON', { cause });
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PolicyParseError('policy document is not an object');
  const raw = (doc as Record<string, unknown>)['Statement'];
  if (raw === undefined) throw new PolicyParseError('policy document has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  return { kind: 'document', statements: list.map((s, i) => parseStatement(s, i)) };
}

/** A policy document that could not be read; the caller wraps it with the record location. */
export class PolicyParseError extends Error {}

function parseStatement(value: unknown, index: number): PolicyStatement {
  if (typeof value !== 'object' || value === null) throw new PolicyParseError(`Statement[${index}] is not an object`);
  const s = value as Record<string, unknown>;
  const effect = s['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyParseError(`Statement[${index}].Effect must be Allow or Deny`);
  const out: PolicyStatement = {
    effect,
    principals:
      s['Principal'] === undefined ? (s['NotPrincipal'] === undefined ? ['*'] : []) : principals(s['Principal']),
    actions: strings(s['Action']),
    resources: s['Resource'] === undefined && s['NotResource'] === undefined ? ['*'] : strings(s['Resource']),
    conditions: conditions(s['Condition']),
  };
  if (typeof s['Sid'] === 'string') out.sid = s['Sid'];
  if (s['NotPrincipal'] !== undefined) out.notPrincipals = principals(s['NotPrincipal']);
  if (s['NotAction'] !== undefined) out.notActions = strings(s['NotAction']);
  if (s['NotResource'] !== undefined) out.notResources = strings(s['NotResource']);
  return out;
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function principals(value: unknown): string[] {
  if (value === '*') return ['*'];
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value as Record<string, unknown>).flatMap(strings);
}

function conditions(value: unknown): PolicyCondition[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: PolicyCondition[] = [];
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, values] of Object.entries(block as Record<string, unknown>))
      out.push({ operator, key, values: strings(values) });
  }
  return out;
}
