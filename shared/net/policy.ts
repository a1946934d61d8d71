import { globMatch } from '../platform/glob.ts';
import type { PolicyCondition, PolicyState, PolicyStatement } from '../model/change.ts';
import { publicShare, tryParseCidr } from './cidr.ts';

/**
 * Compare VPC endpoint policies (or any resource policy) and say, in words a responder reads, how access got wider
 * or narrower. Works on the normalized {@link PolicyState} from `parsePolicyDocument`.
 *
 * The model is "statement coverage": an Allow in the new document is harmless when some Allow in the old one
 * already granted at least as much (principals, actions and resources contained, and every old condition still
 * present and at least as strict). Anything else is a loosening, described against the closest old statement.
 * Deny statements mirror this: an old Deny that no new Deny covers was removed or narrowed.
 *
 * Approximations (documented so nobody trusts more than this gives): wildcards are compared as globs (`s3:*`
 * covers `s3:Get*`); `NotAction`/`NotResource`/`NotPrincipal` Allows are treated as "everything except", which
 * is only covered by an equally broad old statement; conditions are compared key by key, not evaluated.
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */

/** The outcome of comparing two policies: each entry is one human sentence. */
export interface PolicyComparison {
  loosenings: string[];
  tightenings: string[];
  /** The Allow statements of the new policy that grant more than the old one did (for grading). */
  widenedAllows: PolicyStatement[];
}

/** What makes one policy broad when judged on its own (no "before" to compare with). */
export interface PolicyBreadth {
  /** An unconditioned Allow of every action on every resource to everyone (or AWS's default full-access policy). */
  grantsEveryoneFullAccess: boolean;
  /** Sentences describing each broad grant (empty for a scoped policy). */
  broad: string[];
}

/**
 * Condition keys that draw a trust boundary (who / from where / to which account). Removing one of these from an
 * endpoint policy is exactly how data-perimeter controls get disabled.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const RESTRICTIVE_CONDITION_KEYS: readonly string[] = [
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:SourceVpcArn',
  'aws:VpcSourceIp',
  'aws:SourceIp',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalServiceName',
  'aws:ResourceOrgID',
  'aws:ResourceOrgPaths',
  'aws:ResourceAccount',
  'aws:SourceAccount',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'aws:SourceArn',
  'aws:userid',
  'aws:username',
];

const RESTRICTIVE = new Set(RESTRICTIVE_CONDITION_KEYS.map((k) => k.toLowerCase()));

/** The statement AWS's default endpoint policy amounts to. */
const FULL_ACCESS: PolicyStatement = {
  effect: 'Allow',
  principals: ['*'],
  actions: ['*'],
  resources: ['*'],
  conditions: [],
};

const ACCOUNT_KEYS = new Set(['aws:principalaccount', 'aws:resourceaccount', 'aws:sourceaccount']);
const ORG_ID_KEYS = new Set(['aws:principalorgid', 'aws:resourceorgid', 'aws:sourceorgid']);
const ORG_PATH_KEYS = new Set(['aws:principalorgpaths', 'aws:resourceorgpaths', 'aws:sourceorgpaths']);
const ARN_KEYS = new Set(['aws:principalarn', 'aws:sourcearn', 'aws:sourcevpcarn']);
const IP_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip']);

/**
 * True when one condition value names something an outsider cannot be or choose: a concrete account, organisation,
 * ARN account, VPC or endpoint id, or an address range that is not the internet. Every value in a policy is
 * attacker-controlled (whoever can call `ModifyVpcEndpoint` writes it), and `StringLike aws:PrincipalOrgID "*"`,
 * `ArnLike aws:PrincipalArn "arn:aws:iam::*:*"` or `IpAddress aws:SourceIp "0.0.0.0/0"` look like a boundary while
 * admitting anyone (any account can create an organisation). Wildcards count only under the operators that read them
 * (`…Like`, and `ArnEquals`, which matches like `ArnLike`); under `StringEquals` a `*` is a literal.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
function pinsValue(operator: string, key: string, value: string): boolean {
  const v = value.trim();
  if (v === '') return false;
  if (IP_KEYS.has(key)) {
    const cidr = tryParseCidr(v);
    if (cidr === undefined) return true; // an address AWS cannot read matches no request
    const share = publicShare([cidr]);
    return (cidr.version === 4 ? share.v4 : share.v6) < 0.5;
  }
  const op = operator
    .toLowerCase()
    .replace(/^for(any|all)values:/, '')
    .replace(/ifexists$/, '');
  if (!op.endsWith('like') && !op.startsWith('arn')) return true;
  const wild = (text: string) => /[*?]/.test(text);
  if (/^[*?]+$/.test(v)) return false;
  if (ACCOUNT_KEYS.has(key) || ORG_ID_KEYS.has(key)) return !wild(v);
  if (ORG_PATH_KEYS.has(key)) return /^o-[^*?/]+\//.test(v);
  if (ARN_KEYS.has(key)) {
    const [, , , , account, ...rest] = v.split(':');
    // An ARN pins its account, or (S3 and other account-less ARNs) a resource name that does not start with a wildcard.
    if (account === undefined) return false;
    return account !== '' ? !wild(account) : /^[^*?]/.test(rest.join(':'));
  }
  return !/^[*?]/.test(v);
}

/** True when every value of the condition pins (the values of one condition are alternatives: one wide value opens it). */
function pinsEveryValue(condition: PolicyCondition): boolean {
  const key = condition.key.toLowerCase();
  return condition.values.length > 0 && condition.values.every((v) => pinsValue(condition.operator, key, v));
}

/**
 * True when the condition limits who or where in an Allow: a trust-boundary key under a positive operator
 * (`StringEquals`, `ArnLike`, `IpAddress`, `ForAnyValue:StringLike`…) whose every value pins something an outsider
 * cannot choose ({@link pinsValue}). `…IfExists` operators do not count (a request without the key passes), nor do
 * negated operators (in an Allow, `StringNotEquals aws:PrincipalOrgID` opens to everyone *else*).
 */
export function isRestrictiveCondition(condition: PolicyCondition): boolean {
  const op = condition.operator.toLowerCase();
  if (op.endsWith('ifexists') || op.includes('not') || op === 'null' || op === 'bool') return false;
  const key = condition.key.toLowerCase();
  return (RESTRICTIVE.has(key) || key.startsWith('aws:principaltag/')) && pinsEveryValue(condition);
}

/**
 * True when the statement is an Allow to everyone (`*` or NotPrincipal) without a trust-boundary condition: anyone
 * who can reach the endpoint gets what it grants.
 */
export function grantsEveryone(statement: PolicyStatement): boolean {
  return statement.effect === 'Allow' && isEveryone(statement) && !statement.conditions.some(isRestrictiveCondition);
}

/** True when the document carries a boundary Deny (e.g. deny requests from outside the organisation). */
export function hasBoundaryDeny(state: PolicyState): boolean {
  return state.kind === 'document' && state.statements.some(isBoundaryDeny);
}

/**
 * True when a Deny statement draws a boundary: it denies everyone every action on every resource *unless* a
 * trust-boundary key matches a pinned value — a negated operator (`StringNotEquals aws:PrincipalOrgID o-…`,
 * `NotIpAddress aws:SourceIp 10.0.0.0/8`, their `…IfExists` forms). A Deny scoped to one principal, one action or
 * one resource, or one whose condition names a key under a positive operator, fences nothing: it would let anyone
 * silence the grading of a world-open Allow by adding an irrelevant Deny beside it.
 * @see https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html
 */
function isBoundaryDeny(statement: PolicyStatement): boolean {
  if (statement.effect !== 'Deny' || !isEveryone(statement) || !allResources(statement)) return false;
  if (!statement.actions.includes('*')) return false;
  return statement.conditions.some((c) => {
    const op = c.operator.toLowerCase().replace(/ifexists$/, '');
    const key = c.key.toLowerCase();
    return op.includes('not') && RESTRICTIVE.has(key) && pinsEveryValue(c);
  });
}

/**
 * IAM pattern coverage: `pattern` covers `value` when every request `value` allows is allowed by `pattern`. A `*` in
 * the value is itself a wildcard, so `s3:*` covers `s3:Get*` but `s3:Get*` does not cover `s3:*`. The matcher is the
 * project's one glob (shared/platform/glob.ts); actions compare ignoring case (IAM), resources as written.
 */
export function patternCovers(pattern: string, value: string, caseInsensitive = false): boolean {
  return globMatch(pattern, value, caseInsensitive ? 'ignore-case' : 'case-sensitive');
}

/** True when the action pattern grants every action of some service (`s3:*`), or everything (`*`). */
function isServiceWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/**
 * Principal `a` covers `b`: `*`, equal, or `a` is an account (`123456789012` / `…:root`) and `b` lives in it
 * (an account principal delegates to every identity of that account).
 */
export function principalCovers(a: string, b: string): boolean {
  if (a === '*' || a === b) return true;
  const isAccount = /^\d{12}$/.test(a) || /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(a);
  return isAccount && accountOf(a) !== undefined && accountOf(a) === accountOf(b);
}

/** "Everyone" in a statement: a `*` principal, or a `NotPrincipal` (everyone but a few). */
function isEveryone(statement: PolicyStatement): boolean {
  return statement.principals.includes('*') || statement.notPrincipals !== undefined;
}

function allActions(statement: PolicyStatement): boolean {
  return statement.actions.includes('*') || statement.notActions !== undefined;
}

function allResources(statement: PolicyStatement): boolean {
  return statement.resources.includes('*') || statement.notResources !== undefined;
}

/** Condition `a` is at least as strict as `b` (same operator and key; fewer values for positive, more for negated). */
function atLeastAsStrict(a: PolicyCondition, b: PolicyCondition): boolean {
  if (a.operator.toLowerCase() !== b.operator.toLowerCase() || a.key.toLowerCase() !== b.key.toLowerCase())
    return false;
  const negated = a.operator.toLowerCase().includes('not');
  const [small, large] = negated ? [b.values, a.values] : [a.values, b.values];
  return small.every((v) => large.includes(v));
}

interface Gap {
  principals: string[];
  actions: string[];
  resources: string[];
  /** Conditions of the covering statement that the covered one lacks or weakens. */
  conditions: PolicyCondition[];
  /** Not* elements that make the covered statement broader in ways we do not break down. */
  other: string[];
}

/** What `inner` grants beyond `outer` (both same effect). An empty gap means `outer` covers `inner`. */
function gap(outer: PolicyStatement, inner: PolicyStatement): Gap {
  const g: Gap = { principals: [], actions: [], resources: [], conditions: [], other: [] };
  // Principals.
  if (inner.notPrincipals !== undefined) {
    if (outer.notPrincipals === undefined && !outer.principals.includes('*'))
      g.other.push('NotPrincipal (everyone but a few)');
  } else if (outer.notPrincipals === undefined) {
    g.principals = inner.principals.filter((p) => !outer.principals.some((o) => principalCovers(o, p)));
  }
  // Actions (case-insensitive per IAM).
  if (inner.notActions !== undefined) {
    const outerCovers =
      outer.actions.includes('*') ||
      (outer.notActions !== undefined &&
        outer.notActions.every((x) => inner.notActions!.some((y) => patternCovers(y, x, true))));
    if (!outerCovers) g.other.push(`NotAction ${inner.notActions.join(', ')} (every other action)`);
  } else {
    g.actions = inner.actions.filter(
      (a) =>
        !(
          outer.actions.some((o) => patternCovers(o, a, true)) ||
          (outer.notActions !== undefined &&
            !outer.notActions.some((x) => patternCovers(a, x, true) || patternCovers(x, a, true)))
        ),
    );
  }
  // Resources (case-sensitive).
  if (inner.notResources !== undefined) {
    if (!outer.resources.includes('*'))
      g.other.push(`NotResource ${inner.notResources.join(', ')} (every other resource)`);
  } else {
    g.resources = inner.resources.filter((r) => !outer.resources.some((o) => patternCovers(o, r)));
  }
  // Conditions: every condition of outer must still hold in inner at least as strictly.
  g.conditions = outer.conditions.filter((oc) => !inner.conditions.some((ic) => atLeastAsStrict(ic, oc)));
  return g;
}

function gapEmpty(g: Gap): boolean {
  return g.principals.length + g.actions.length + g.resources.length + g.conditions.length + g.other.length === 0;
}

function gapSize(g: Gap): number {
  return g.principals.length + g.actions.length + g.resources.length + g.conditions.length + g.other.length;
}

function statementsOf(state: PolicyState): PolicyStatement[] {
  return state.kind === 'full-access' ? [FULL_ACCESS] : state.statements;
}

function name(statement: PolicyStatement): string {
  return statement.sid ? `${statement.effect} statement "${statement.sid}"` : `${statement.effect} statement`;
}

function describeStatement(s: PolicyStatement): string {
  const who = s.notPrincipals
    ? `everyone except ${s.notPrincipals.join(', ')}`
    : s.principals.join(', ') || '(no principal)';
  const what = s.notActions ? `all actions except ${s.notActions.join(', ')}` : s.actions.join(', ');
  const on = s.notResources ? `all resources except ${s.notResources.join(', ')}` : s.resources.join(', ');
  const cond = s.conditions.length ? ` when ${s.conditions.map(describeCondition).join(' and ')}` : '';
  return `principal ${who}; action ${what}; resource ${on}${cond}`;
}

function describeCondition(c: PolicyCondition): string {
  return `${c.operator} ${c.key} = ${c.values.join('|')}`;
}

/** Pick the statement of `pool` closest to `target`: same Sid first, then the smallest gap. */
function closest(
  pool: PolicyStatement[],
  target: PolicyStatement,
  gapOf: (candidate: PolicyStatement) => Gap,
): PolicyStatement | undefined {
  if (target.sid) {
    const same = pool.find((s) => s.sid === target.sid);
    if (same) return same;
  }
  let best: PolicyStatement | undefined;
  let bestSize = Infinity;
  for (const s of pool) {
    const g = gapOf(s);
    // Only a statement sharing some action or resource is a meaningful counterpart.
    const related =
      g.actions.length < Math.max(1, target.actions.length) ||
      g.resources.length < Math.max(1, target.resources.length);
    if (related && gapSize(g) < bestSize) {
      best = s;
      bestSize = gapSize(g);
    }
  }
  return best;
}

/**
 * Allow grants present in `next` that `prev` did not give, as sentences. With `reverse` the caller swapped the
 * arguments to find tightenings, so arrows are still written old -> new.
 */
function allowGains(
  prev: PolicyState,
  next: PolicyState,
  verbs: { added: string; widened: string },
  reverse = false,
  gained: PolicyStatement[] = [],
): string[] {
  const prevAllows = statementsOf(prev).filter((s) => s.effect === 'Allow');
  const out: string[] = [];
  for (const s of statementsOf(next).filter((x) => x.effect === 'Allow')) {
    if (prevAllows.some((p) => gapEmpty(gap(p, s)))) continue;
    gained.push(s);
    const counterpart = closest(prevAllows, s, (p) => gap(p, s));
    if (!counterpart) {
      out.push(`${verbs.added} ${name(s)}: ${describeStatement(s)}`);
      continue;
    }
    const g = gap(counterpart, s);
    const parts: string[] = [];
    const arrow = (from: string, to: string): string => (reverse ? `${to} -> ${from}` : `${from} -> ${to}`);
    if (g.principals.length)
      parts.push(`principal ${arrow(counterpart.principals.join(', '), s.principals.join(', '))}`);
    if (g.actions.length)
      parts.push(`action ${arrow(counterpart.actions.join(', ') || '(NotAction)', s.actions.join(', '))}`);
    if (g.resources.length)
      parts.push(`resource ${arrow(counterpart.resources.join(', ') || '(NotResource)', s.resources.join(', '))}`);
    const lost = reverse ? 'added' : 'removed';
    const eased = reverse ? 'tightened' : 'relaxed';
    for (const c of g.conditions)
      parts.push(
        `condition ${describeCondition(c)} ${s.conditions.some((x) => x.key.toLowerCase() === c.key.toLowerCase()) ? eased : lost}`,
      );
    parts.push(...g.other);
    out.push(`${name(s)} ${verbs.widened}: ${parts.join('; ')}`);
  }
  return out;
}

/** Deny coverage in `prev` that `next` no longer has. A Deny covers another when it denies at least as much. */
function denyLosses(
  prev: PolicyState,
  next: PolicyState,
  verbs: { removed: string; narrowed: string },
  reverse = false,
): string[] {
  const nextDenies = statementsOf(next).filter((s) => s.effect === 'Deny');
  const out: string[] = [];
  for (const d of statementsOf(prev).filter((x) => x.effect === 'Deny')) {
    if (nextDenies.some((n) => gapEmpty(gap(n, d)))) continue;
    const counterpart = closest(nextDenies, d, (n) => gap(n, d));
    if (!counterpart) out.push(`${name(d)} ${verbs.removed}: ${describeStatement(d)}`);
    else {
      const [was, now] = reverse ? [counterpart, d] : [d, counterpart];
      out.push(`${name(d)} ${verbs.narrowed}: was ${describeStatement(was)}; now ${describeStatement(now)}`);
    }
  }
  return out;
}

/**
 * List every way `after` grants more than `before` (loosenings) and less (tightenings). `full-access` (no policy,
 * or `ResetPolicy`) is compared as AWS's default "Allow everyone everything" policy.
 */
export function comparePolicies(before: PolicyState, after: PolicyState): PolicyComparison {
  const loosenings: string[] = [];
  const tightenings: string[] = [];
  const widenedAllows: PolicyStatement[] = [];
  if (after.kind === 'full-access' && before.kind === 'document') {
    if (!isFullAccessDocument(before)) {
      loosenings.push('policy reset to full access (AWS default: everyone, every action) after a restrictive document');
      widenedAllows.push(FULL_ACCESS);
    }
    return { loosenings, tightenings, widenedAllows };
  }
  if (before.kind === 'full-access' && after.kind === 'document') {
    if (!isFullAccessDocument(after)) tightenings.push('default full-access policy replaced by a custom document');
    return { loosenings, tightenings, widenedAllows };
  }
  loosenings.push(...allowGains(before, after, { added: 'new', widened: 'widened' }, false, widenedAllows));
  loosenings.push(...denyLosses(before, after, { removed: 'removed', narrowed: 'narrowed' }));
  tightenings.push(...allowGains(after, before, { added: 'removed', widened: 'narrowed' }, true));
  tightenings.push(...denyLosses(after, before, { removed: 'added', narrowed: 'widened' }, true));
  return { loosenings, tightenings, widenedAllows };
}

/** True when a document is equivalent to full access: an unconditioned Allow * / * / * and no Deny. */
function isFullAccessDocument(state: PolicyState): boolean {
  if (state.kind === 'full-access') return true;
  const noDeny = state.statements.every((s) => s.effect === 'Allow');
  return noDeny && state.statements.some((s) => gapEmpty(gap(s, FULL_ACCESS)));
}

/**
 * Judge one policy on its own, for when the previous one is unknown (CloudTrail `ModifyVpcEndpoint` logs only the
 * new document). Broad = an Allow to everyone of all actions (or all of one service) on every resource without a
 * trust-boundary condition, unless a boundary Deny (e.g. deny outside the organisation) fences it.
 */
export function assessPolicy(state: PolicyState): PolicyBreadth {
  if (state.kind === 'full-access')
    return {
      grantsEveryoneFullAccess: true,
      broad: ['full access (AWS default policy): everyone, every action, every resource'],
    };
  const fenced = state.statements.some(isBoundaryDeny);
  const broad: string[] = [];
  let everyoneFull = false;
  for (const s of state.statements) {
    if (s.effect !== 'Allow' || !isEveryone(s) || s.conditions.some(isRestrictiveCondition)) continue;
    if (allActions(s) && allResources(s)) {
      if (!fenced) everyoneFull = true;
      broad.push(
        `${name(s)} grants everyone full access${fenced ? ' (fenced by a boundary Deny)' : ''}: ${describeStatement(s)}`,
      );
    } else {
      const services = s.actions.filter(isServiceWildcard);
      if (services.length && allResources(s) && !fenced)
        broad.push(`${name(s)} grants everyone ${services.join(', ')} on every resource: ${describeStatement(s)}`);
    }
  }
  return { grantsEveryoneFullAccess: everyoneFull, broad };
}
