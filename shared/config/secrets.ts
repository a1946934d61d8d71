/**
 * Config-file checks for secrets. Secrets (PagerDuty routing keys, webhook signing secrets, Slack URLs) never sit in
 * the config file: a setting holds a reference, `{ssm: /netwatch/pagerduty/routing-key}` or
 * `{secretsManager: name-or-arn}` (schema and resolution: shared/platform/aws/secrets.ts, Powertools Parameters, resolved at
 * cold start by the sinks' prefetch).
 */
import { secretRefSchema } from '../platform/aws/secrets.ts';

/** Keys that hold secrets; a plain string there is refused (the file would leak it). */
export const SECRET_KEY =
  /(secret|token|password|passwd|apikey|api_key|routingkey|routing_key|integrationkey|webhookurl|authorization)/i;

/**
 * Problems for every secret-looking key that holds a plain string instead of a reference. Generic over the whole
 * sinks section, so sink kinds added later (in their own schemas) get the same protection.
 */
export function plaintextSecretProblems(value: unknown, path: string): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (secretRefSchema.safeParse(v).success) return; // a reference is exactly what we want there
    if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(item, `${at}[${i}]`);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const here = `${at}.${k}`;
        if (SECRET_KEY.test(k) && typeof child === 'string')
          problems.push(
            `${here}: looks like a secret; put it in SSM Parameter Store or Secrets Manager and write {ssm: /name} or {secretsManager: name} here`,
          );
        else walk(child, here);
      }
    }
  };
  walk(value, path);
  return problems;
}
