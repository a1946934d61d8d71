import { ACCOUNT_ID, type Json } from './cfn.ts';
import type { StackParams } from './params.ts';

/**
 * The opt-in response (docs/response.md): the `respond` function exists only with `respondAccounts` set — and with it
 * its queue and DLQ (deploy/stack/resources.ts), its role and the ingest functions' right to queue revert requests
 * (deploy/stack/roles.ts `respondStatements`, `respondQueueSink`), its alarms (deploy/stack/monitoring.ts).
 */

/** The responder: its key in serverless.yml. */
export const RESPOND_FUNCTION = 'respond';

/** Whether the response is deployed (accounts named). */
export function respondDeployed(params: StackParams): boolean {
  return params.respondAccounts.length > 0;
}

/** The accounts the response acts in, as ARN account fields (`self` = the stack's own account). */
export function respondAccountFields(params: StackParams): Json[] {
  return params.respondAccounts.map((a) => (a === 'self' ? ACCOUNT_ID : a));
}
