import { SecretError, type SecretRef, type SecretResolver } from '../../platform/aws/secrets.ts';
import { DeliveryError } from '../../platform/errors.ts';

/** Resolve a sink's secret, turning a {@link SecretError} into the sink's {@link DeliveryError} (same retryability). */
export async function resolveSecret(sink: string, secrets: SecretResolver, ref: SecretRef): Promise<string> {
  try {
    return await secrets.resolve(ref);
  } catch (cause) {
    const retryable = cause instanceof SecretError ? cause.retryable : true;
    throw new DeliveryError(sink, cause instanceof Error ? cause.message : String(cause), { cause, retryable });
  }
}
