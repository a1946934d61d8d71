import { describe, expect, it } from 'vitest';
import { deltasOf, ignoredReason, malformed, normalize, onlyChange, params, sample } from './fixtures.ts';

describe('CloudTrail VPC endpoint calls', () => {
  it('CreateVpcEndpoint (wrapped) with a wildcard policy → added with parsed statements; id from the response', () => {
    // Prepare
    const record = sample('create-vpc-endpoint-gateway-s3-wildcard-policy');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::EC2::VPCEndpoint',
      id: 'vpce-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(deltasOf(change, 'endpoint-policy')).toEqual([
      {
        kind: 'endpoint-policy',
        op: 'added',
        endpointId: 'vpce-0a1b2c3d4e5f60718',
        serviceName: 'com.amazonaws.eu-west-1.s3',
        after: {
          kind: 'document',
          statements: [
            {
              sid: 'AllowAll',
              effect: 'Allow',
              principals: ['*'],
              actions: ['s3:*'],
              resources: ['*'],
              conditions: [],
            },
          ],
        },
      },
    ]);
  });

  it('CreateVpcEndpoint (old shape) without a policy → full-access, with a note', () => {
    // Prepare
    const record = sample('create-vpc-endpoint-interface-no-policy');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(deltasOf(change, 'endpoint-policy')[0]).toMatchObject({
      op: 'added',
      endpointId: 'vpce-0b2c3d4e5f6071829',
      after: { kind: 'full-access' },
    });
    expect(deltasOf(change, 'endpoint-policy')[0]?.before).toBeUndefined();
    expect(change.notes?.[0]).toContain('default full-access');
  });

  it('ModifyVpcEndpoint (old shape) policyDocument → changed, before unknown', () => {
    // Prepare
    const record = sample('modify-vpc-endpoint-policy-wildcard');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'endpoint-policy');
    // Assess
    expect(delta).toMatchObject({
      op: 'changed',
      endpointId: 'vpce-0a1b2c3d4e5f60718',
      after: { kind: 'document', statements: [{ principals: ['*'], actions: ['s3:*'] }] },
    });
    expect(delta?.before).toBeUndefined();
  });

  it('ModifyVpcEndpoint (wrapped) PolicyDocument with principal and condition', () => {
    // Prepare
    const record = sample('modify-vpc-endpoint-wrapped-policy-scoped');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'endpoint-policy');
    // Assess
    expect(delta?.after).toEqual({
      kind: 'document',
      statements: [
        {
          effect: 'Allow',
          principals: ['arn:aws:iam::111122223333:root'],
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: ['arn:aws:s3:::netwatch-artifacts/*'],
          conditions: [{ operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-a1b2c3d4e5'] }],
        },
      ],
    });
  });

  it('ModifyVpcEndpoint (wrapped) ResetPolicy → full-access; also in the old lowercase shape', () => {
    // Prepare
    const wrapped = sample('modify-vpc-endpoint-wrapped-reset-policy');
    const old = sample('modify-vpc-endpoint-policy-wildcard');
    delete params(old)['policyDocument'];
    params(old)['resetPolicy'] = true;
    // Act
    const a = deltasOf(onlyChange(normalize(wrapped)), 'endpoint-policy')[0];
    const b = deltasOf(onlyChange(normalize(old)), 'endpoint-policy')[0];
    // Assess
    expect(a).toEqual({
      kind: 'endpoint-policy',
      op: 'changed',
      endpointId: 'vpce-0a1b2c3d4e5f60718',
      after: { kind: 'full-access' },
    });
    expect(b?.after).toEqual({ kind: 'full-access' });
  });

  it('ModifyVpcEndpoint touching only subnets is ignored', () => {
    // Prepare / Act / Assess
    expect(ignoredReason(normalize(sample('modify-vpc-endpoint-subnets-only')))).toContain('policy unchanged');
  });

  it('a policy that is not JSON → MalformedInputError naming the policy path', () => {
    // Prepare
    const record = sample('modify-vpc-endpoint-wrapped-policy-scoped');
    (params(record)['ModifyVpcEndpointRequest'] as Record<string, unknown>)['PolicyDocument'] = '{"Statement": [';
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/requestParameters/ModifyVpcEndpointRequest/PolicyDocument');
    expect(error.message).toContain(
      'ModifyVpcEndpoint: requestParameters.ModifyVpcEndpointRequest.PolicyDocument: policy document is not valid JSON',
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('CreateVpcEndpoint without an endpoint id in the response → MalformedInputError', () => {
    // Prepare
    const record = sample('create-vpc-endpoint-interface-no-policy');
    record['responseElements'] = null;
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/responseElements/vpcEndpoint/vpcEndpointId');
  });
});

describe('CloudTrail endpoint-service calls', () => {
  it('ModifyVpcEndpointServicePermissions: a single {tag, content} principal "*" added', () => {
    // Prepare
    const record = sample('modify-vpce-service-permissions-add-wildcard');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::VPCEndpointService', id: 'vpce-svc-0a1b2c3d4e5f60718' });
    expect(change.deltas).toEqual([
      { kind: 'endpoint-service-permission', op: 'added', serviceId: 'vpce-svc-0a1b2c3d4e5f60718', principal: '*' },
    ]);
  });

  it('ModifyVpcEndpointServicePermissions: a list of added principals and a removed one', () => {
    // Prepare
    const record = sample('modify-vpce-service-permissions-list');
    // Act
    const deltas = deltasOf(onlyChange(normalize(record)), 'endpoint-service-permission');
    // Assess
    expect(deltas.map((d) => [d.op, d.principal])).toEqual([
      ['added', 'arn:aws:iam::444455556666:root'],
      ['added', 'arn:aws:iam::777788889999:role/ConsumerApp'],
      ['removed', '*'],
    ]);
  });

  it('old lowercase shape with an array of principals', () => {
    // Prepare
    const record = sample('modify-vpce-service-permissions-add-wildcard');
    record['requestParameters'] = {
      serviceId: 'vpce-svc-0a1b2c3d4e5f60718',
      addAllowedPrincipals: ['arn:aws:iam::444455556666:root'],
    };
    record['responseElements'] = { requestId: 'r', _return: true };
    // Act
    const deltas = deltasOf(onlyChange(normalize(record)), 'endpoint-service-permission');
    // Assess
    expect(deltas).toEqual([
      {
        kind: 'endpoint-service-permission',
        op: 'added',
        serviceId: 'vpce-svc-0a1b2c3d4e5f60718',
        principal: 'arn:aws:iam::444455556666:root',
      },
    ]);
  });

  it('a wrapped response with return false is ignored', () => {
    // Prepare
    const record = sample('modify-vpce-service-permissions-add-wildcard');
    record['responseElements'] = { ModifyVpcEndpointServicePermissionsResponse: { requestId: 'r', return: false } };
    // Act / Assess
    expect(ignoredReason(normalize(record))).toContain('returned false');
  });

  it('ModifyVpcEndpointServiceConfiguration AcceptanceRequired=false → acceptance changed', () => {
    // Prepare
    const record = sample('modify-vpce-service-config-acceptance-off');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.deltas).toEqual([
      {
        kind: 'endpoint-service-acceptance',
        op: 'changed',
        serviceId: 'vpce-svc-0a1b2c3d4e5f60718',
        acceptanceRequired: false,
      },
    ]);
  });

  it('ModifyVpcEndpointServiceConfiguration without AcceptanceRequired is ignored', () => {
    // Prepare
    const record = sample('modify-vpce-service-config-acceptance-off');
    delete (params(record)['ModifyVpcEndpointServiceConfigurationRequest'] as Record<string, unknown>)[
      'AcceptanceRequired'
    ];
    // Act / Assess
    expect(ignoredReason(normalize(record))).toContain('acceptance unchanged');
  });

  it('CreateVpcEndpointServiceConfiguration → acceptance added, from the response', () => {
    // Prepare
    const record = sample('create-vpce-service-config');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toMatchObject({ type: 'AWS::EC2::VPCEndpointService', id: 'vpce-svc-0b2c3d4e5f6071829' });
    expect(change.deltas).toEqual([
      {
        kind: 'endpoint-service-acceptance',
        op: 'added',
        serviceId: 'vpce-svc-0b2c3d4e5f6071829',
        acceptanceRequired: false,
      },
    ]);
  });

  it('missing ServiceId → MalformedInputError inside the wrapped request', () => {
    // Prepare
    const record = sample('modify-vpce-service-permissions-add-wildcard');
    delete (params(record)['ModifyVpcEndpointServicePermissionsRequest'] as Record<string, unknown>)['ServiceId'];
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/requestParameters/ModifyVpcEndpointServicePermissionsRequest/serviceId');
    expect(error.message).toContain('ModifyVpcEndpointServicePermissions:');
  });
});
