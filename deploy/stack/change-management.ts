import { arnOf, type CfnResource, type Statement } from './cfn.ts';
import type { StackParams } from './params.ts';
import type { FunctionInfo } from './resources.ts';
import { lambdaRole, ownLogGroup, secretArn, ssmParameterArn, vpcStatements } from './roles.ts';

/**
 * Change management in (docs/change-management.md): the scheduled approvals sync (`approvalsSync=true`) and the
 * inbound approvals endpoint (`approvalsInbound=true`, a Lambda function URL checked by HMAC). Each gets its own role:
 * the approvals table (read a ticket's rows, write and delete them — no GSI, no scan), the config, the change
 * system's credentials, its log group — not the delivery grants every delivering function carries.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html (AuthType NONE: the function authenticates)
 */

export const SYNC_FUNCTION = 'approvalsSync';
export const INBOUND_FUNCTION = 'approvalsInbound';

/** Which of the two functions the parameters keep. */
export function changeManagementFunctions(params: StackParams): { sync: boolean; inbound: boolean } {
  return { sync: params.approvalsSync, inbound: params.approvalsInbound };
}

/** The inbound function's environment. */
export function inboundEnvironment(params: StackParams): Record<string, string> {
  return params.approvalsInboundSecretParameter
    ? { NETWATCH_INBOUND_SECRET_PARAMETER: params.approvalsInboundSecretParameter }
    : {};
}

/** The role of the sync or the inbound function. */
export function changeManagementRole(fn: FunctionInfo, params: StackParams, configParameterName: string): CfnResource {
  const inbound = fn.key === INBOUND_FUNCTION;
  const statements: Statement[] = [
    ownLogGroup(fn),
    // The functions' environment is encrypted with the stack key.
    { Sid: 'StackKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: arnOf('NetwatchKey') },
    {
      // A ticket's rows (Query on pk), written and removed one by one (conditional on who wrote them).
      Sid: 'ApprovalsTable',
      Effect: 'Allow',
      Action: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: arnOf('ApprovalsTable'),
    },
    {
      Sid: 'NetwatchConfig',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: ssmParameterArn(configParameterName),
    },
  ];
  const parameters = inbound
    ? params.approvalsInboundSecretParameter
      ? [params.approvalsInboundSecretParameter]
      : []
    : params.secretParameters;
  if (parameters.length)
    statements.push({
      Sid: inbound ? 'InboundHmacKey' : 'ChangeSystemSecretsSsm',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: parameters.map(ssmParameterArn),
    });
  if (!inbound && params.secretsManagerSecrets.length)
    statements.push({
      Sid: 'ChangeSystemSecretsSecretsManager',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: params.secretsManagerSecrets.map(secretArn),
    });
  statements.push(...vpcStatements(params));
  return lambdaRole(fn, `Netwatch ${fn.key}: the approvals table, its config and secrets only`, statements);
}
