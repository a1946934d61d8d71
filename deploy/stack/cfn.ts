/** Minimal CloudFormation helpers: intrinsic functions and the template shape the stack builder writes. */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, Record<string, Json>>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Description?: string; Value: Json; Export?: { Name: Json } }>;
}

export const ref = (logicalId: string): Json => ({ Ref: logicalId });
export const arnOf = (logicalId: string): Json => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
export const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (text: string, variables?: Record<string, Json>): Json =>
  variables ? { 'Fn::Sub': [text, variables] } : { 'Fn::Sub': text };
export const ACCOUNT_ID: Json = { Ref: 'AWS::AccountId' };
export const REGION: Json = { Ref: 'AWS::Region' };

/** An IAM policy statement as the stack writes it (Resource always explicit; `*` only where the API requires it). */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Json;
  Action: string | string[];
  /** Absent only in trust policies. */
  Resource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}

export const policyDocument = (statements: readonly Statement[]): Json => ({
  Version: '2012-10-17',
  Statement: statements as unknown as Json[],
});

/** The resource-policy statement every stack queue, topic and bucket carries: requests without TLS are refused. */
export function denyInsecureTransport(action: string, resource: Json): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** PascalCase a function key for logical ids (osls: `configChanges` → `ConfigChanges`). */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/[-_](.)/g, (_m, c: string) => c.toUpperCase());
}
