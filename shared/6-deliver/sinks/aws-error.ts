import { DeliveryError, errorText } from '../../platform/errors.ts';

/** Error names that will not go away by retrying the same request (wrong ARN, missing permission, bad input). */
const PERMANENT = new Set([
  'NotFound',
  'NotFoundException',
  'ResourceNotFoundException',
  'NoSuchBucket',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'InvalidParameter',
  'InvalidParameterValue',
  'InvalidParameterException',
  'ValidationException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidSecurity',
  'KMSDisabled',
  'KMSInvalidState',
]);

/**
 * Turn an AWS SDK v3 error into a {@link DeliveryError}: throttling and server faults stay retryable (the SDK already
 * retried them `maxAttempts` times; SQS redelivery is the next layer), configuration errors are not.
 * @see https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-types/ (ServiceException `$fault`, `$metadata`)
 */
export function awsDeliveryError(sink: string, action: string, cause: unknown): DeliveryError {
  const name = cause instanceof Error ? cause.name : '';
  const meta = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  const status = meta?.httpStatusCode;
  const throttled = status === 429 || /throttl|toomanyrequests|slowdown/i.test(name);
  const permanent = !throttled && (PERMANENT.has(name) || (status !== undefined && status >= 400 && status < 500));
  return new DeliveryError(sink, `${action} failed: ${name ? `${name}: ` : ''}${errorText(cause)}`, {
    cause,
    retryable: !permanent,
  });
}
