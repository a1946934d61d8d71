import { globMatch, type CaseRule } from '../platform/glob.ts';
import type { Actor } from './change.ts';

/**
 * Who an actor *is*, for approvals, allowlists and automation roles — and what a pattern about them can prove.
 *
 * An assumed-role session ARN is `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. ROLE and ACCOUNT are set by STS;
 * SESSION is whatever the caller of AssumeRole chose (`--role-session-name`), unless the role's trust policy pins it
 * (`sts:RoleSessionName`, e.g. to `${aws:username}`) or an identity provider sets it (IAM Identity Center, SAML). So
 * a glob over the session ARN can be met by a caller-chosen name: a pattern ending in `/ci-deployer` over session ARNs
 * matches *any* role whose caller named the session `ci-deployer`. Therefore:
 *
 * - Every pattern is matched against the **principal**: the role ARN for an assumed role (the session issuer, or, when
 *   only the session ARN is known, `arn:aws:iam::ACCOUNT:role/ROLE` read from it — path unknown, so a pattern with a
 *   role path then fails closed), the user / root / federated-user ARN otherwise. Never against the session ARN.
 * - A pattern written as a session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) is split: partition,
 *   account and ROLE must match the role (ROLE against the role's name, so a `*` there cannot reach into the session),
 *   and SESSION is matched against the session name as an *extra* restriction. A session-name pattern narrows an
 *   approval to sessions someone named so; it proves who that was only where the trust policy or the identity
 *   provider fixes the name (docs/security.md).
 */

/** The identity a pattern is matched against. */
export interface Principal {
  /** Role ARN for assumed roles; the actor ARN otherwise. */
  arn: string;
  /** For assumed roles: partition, account, role name (last path segment) and the caller-chosen session name. */
  role?: { partition: string; account: string; name: string; session?: string };
}

const SESSION_ARN = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/(.+)$/;
const ROLE_ARN = /^arn:([^:]+):iam::([^:]*):role\/(?:.*\/)?([^/]+)$/;

/** The principal of an actor, or `undefined` when the source named none. */
export function principalOf(actor: Actor | undefined): Principal | undefined {
  if (actor === undefined) return undefined;
  const session = actor.arn === undefined ? undefined : SESSION_ARN.exec(actor.arn);
  const issuer = actor.sessionIssuerArn;
  if (issuer !== undefined && issuer !== '') {
    const role = ROLE_ARN.exec(issuer);
    return role
      ? {
          arn: issuer,
          role: {
            partition: role[1]!,
            account: role[2]!,
            name: role[3]!,
            ...(session ? { session: session[4]! } : {}),
          },
        }
      : { arn: issuer };
  }
  if (session) {
    const [, partition, account, name, sessionName] = session;
    return {
      arn: `arn:${partition}:iam::${account}:role/${name}`,
      role: { partition: partition!, account: account!, name: name!, session: sessionName! },
    };
  }
  return actor.arn !== undefined && actor.arn !== '' ? { arn: actor.arn } : undefined;
}

/** True when one actor pattern matches the principal (see the module comment for the two pattern forms). */
export function actorPatternMatches(pattern: string, principal: Principal, caseRule: CaseRule): boolean {
  const asSession = SESSION_ARN.exec(pattern);
  if (!asSession) return globMatch(pattern, principal.arn, caseRule);
  const [, partition, account, name, session] = asSession;
  const role = principal.role;
  return (
    role !== undefined &&
    role.session !== undefined &&
    globMatch(partition!, role.partition, caseRule) &&
    globMatch(account!, role.account, caseRule) &&
    globMatch(name!, role.name, caseRule) &&
    globMatch(session!, role.session, caseRule)
  );
}

/** The first pattern that matches the actor (principal, never the session ARN), if any. */
export function matchActor(
  patterns: readonly string[],
  actor: Actor | undefined,
  caseRule: CaseRule,
): string | undefined {
  const principal = principalOf(actor);
  if (principal === undefined) return undefined;
  return patterns.find((p) => actorPatternMatches(p, principal, caseRule));
}

/**
 * Why an actor pattern proves nothing, or undefined when it names someone: a pattern of wildcards only, or a session
 * pattern whose role part is only wildcards (`…:assumed-role/` + `*` + `/alice` names a session anyone can
 * choose, in any role). Approvals and allowlists refuse such patterns.
 */
export function actorPatternProblem(pattern: string): string | undefined {
  if (/^[*?]+$/.test(pattern)) return `"${pattern}" matches every actor and names nobody`;
  const session = SESSION_ARN.exec(pattern);
  if (session && /^[*?]+$/.test(session[3]!))
    return `"${pattern}" names no role: the session name after it is chosen by whoever assumes any role, so it proves nothing — name the role (arn:aws:iam::ACCOUNT:role/NAME)`;
  return undefined;
}
