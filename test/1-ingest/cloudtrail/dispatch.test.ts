import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedInputError } from '../../../shared/platform/errors.ts';
import { CLOUDTRAIL_API_CALLS, normalizeCloudTrailRecord } from '../../../shared/1-ingest/cloudtrail/index.ts';
import { changesOf, ignoredReason, malformed, normalize, onlyChange, params, repoRoot, sample } from './fixtures.ts';

describe('CloudTrail record: common fields', () => {
  it('fills id, source, time, account, region, api and the full actor', () => {
    // Prepare
    const record = sample('attach-igw');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change).toMatchObject({
      id: record['eventID'],
      source: 'cloudtrail',
      at: record['eventTime'],
      account: '111122223333',
      region: 'eu-west-1',
      api: { source: 'ec2.amazonaws.com', name: 'AttachInternetGateway' },
    });
    expect(change.actor).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice@example.com',
      type: 'AssumedRole',
      principalId: 'AROAYEXAMPLEROLE1234:alice@example.com',
      accountId: '111122223333',
      accessKeyId: 'ASIAYEXAMPLEKEY12345',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/NetworkAdmin',
      sourceIp: '198.51.100.77',
      userAgent: 'AWS Internal',
    });
  });

  it('keeps invokedBy for service-made calls', () => {
    // Prepare
    const record = sample('attach-igw');
    record['userIdentity'] = { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' };
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.actor).toMatchObject({ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' });
  });

  it('account falls back to userIdentity.accountId, then to an ARN in the call, then "unknown" with a note', () => {
    // Prepare
    const viaIdentity = sample('stop-logging');
    delete viaIdentity['recipientAccountId'];
    const viaArn = sample('stop-logging');
    delete viaArn['recipientAccountId'];
    delete viaArn['userIdentity'];
    const unknown = sample('delete-trail');
    delete unknown['recipientAccountId'];
    delete unknown['userIdentity'];
    // Act
    const a = onlyChange(normalize(viaIdentity));
    const b = onlyChange(normalize(viaArn));
    const c = onlyChange(normalize(unknown));
    // Assess
    expect(a.account).toBe('111122223333');
    expect(b.account).toBe('111122223333');
    expect(c.account).toBe('unknown');
    expect(c.notes?.join(' ')).toContain('account not in the record');
  });

  it('accepts trimmed records (no userIdentity, sourceIPAddress, eventType; errorCode null)', () => {
    // Prepare
    const record = sample('attach-igw');
    for (const key of [
      'userIdentity',
      'sourceIPAddress',
      'eventType',
      'readOnly',
      'managementEvent',
      'eventCategory',
      'tlsDetails',
    ])
      delete record[key];
    record['errorCode'] = null;
    record['errorMessage'] = null;
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.actor).toEqual({ userAgent: 'AWS Internal' });
    expect(change.deltas).toHaveLength(1);
  });

  it('a redacted eventSource ("...") is matched by eventName and noted', () => {
    // Prepare
    const record = sample('create-nacl-entry-ingress-world-allow');
    record['eventSource'] = '...';
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.api).toEqual({ source: 'ec2.amazonaws.com', name: 'CreateNetworkAclEntry' });
    expect(change.notes?.[0]).toContain("eventSource '...'");
  });
});

describe('CloudTrail record: ignored inputs', () => {
  it('failed calls (errorCode), read-only calls and other services', () => {
    // Prepare / Act / Assess
    expect(ignoredReason(normalize(sample('authorize-sg-ingress-failed')))).toBe(
      'AuthorizeSecurityGroupIngress failed (Client.UnauthorizedOperation): nothing changed',
    );
    expect(ignoredReason(normalize(sample('describe-security-groups')))).toBe('DescribeSecurityGroups: read-only call');
    expect(ignoredReason(normalize(sample('s3-create-bucket')))).toBe(
      's3.amazonaws.com CreateBucket: not a network change Netwatch handles',
    );
  });

  it('network-activity copies (eventType AwsVpceEvent / eventCategory NetworkActivity)', () => {
    // Prepare
    const vpce = sample('stop-logging');
    vpce['eventType'] = 'AwsVpceEvent';
    const activity = sample('stop-logging');
    activity['eventCategory'] = 'NetworkActivity';
    // Act / Assess
    expect(ignoredReason(normalize(vpce))).toContain('AwsVpceEvent');
    expect(ignoredReason(normalize(activity))).toContain('NetworkActivity');
  });

  it('a failed call is ignored even when its parameters are malformed', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-failed');
    record['requestParameters'] = null;
    // Act / Assess
    expect(ignoredReason(normalize(record))).toContain('failed');
  });
});

describe('CloudTrail record: malformed inputs', () => {
  it('not a CloudTrail record at all (an EventBridge event) → MalformedInputError at /eventSource', () => {
    // Prepare
    const eventBridge = {
      version: '0',
      id: 'x',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: {},
    };
    // Act
    const error = malformed(eventBridge);
    // Assess
    expect(error.message).toContain('not a CloudTrail record');
    expect(error.where.path).toBe('/eventSource');
    expect(error.where.file).toBe('test.json');
  });

  it('non-object inputs', () => {
    // Prepare / Act / Assess
    expect(malformed(null).message).toContain('not a CloudTrail record');
    expect(malformed('{"eventName": "x"}').message).toContain('not a CloudTrail record');
  });

  it('a handled call without eventTime (when the change happened is needed)', () => {
    // Prepare
    const record = sample('attach-igw');
    delete record['eventTime'];
    // Act
    const error = malformed(record);
    // Assess
    expect(error.message).toBe('AttachInternetGateway: eventTime missing');
    expect(error.where.path).toBe('/eventTime');
  });

  it('a handled call whose userIdentity has the wrong type names the field', () => {
    // Prepare
    const record = sample('attach-igw');
    record['userIdentity'] = { type: 42 };
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/userIdentity/type');
  });

  it('extends an existing location path (record inside a log file)', () => {
    // Prepare
    const record = sample('attach-igw');
    delete params(record)['internetGatewayId'];
    // Act
    let caught: unknown;
    try {
      normalizeCloudTrailRecord(record, { file: 'trail.json.gz', record: 3, path: '/Records/3' });
    } catch (error) {
      caught = error;
    }
    // Assess
    expect(caught).toBeInstanceOf(MalformedInputError);
    expect((caught as MalformedInputError).where).toEqual({
      file: 'trail.json.gz',
      record: 3,
      path: '/Records/3/requestParameters/internetGatewayId',
    });
    expect((caught as MalformedInputError).describe()).toBe(
      'trail.json.gz record #3 at /Records/3/requestParameters/internetGatewayId: AttachInternetGateway: requestParameters.internetGatewayId missing',
    );
  });
});

describe('CLOUDTRAIL_API_CALLS', () => {
  const declared = CLOUDTRAIL_API_CALLS.flatMap((spec) => spec.names.map((name) => `${spec.source}:${name}`));

  it('has no duplicates and only handled (change-yielding) calls', () => {
    // Assess
    expect(new Set(declared).size).toBe(declared.length);
    expect(declared).toContain('ec2.amazonaws.com:ModifySecurityGroupRules');
    expect(declared).toContain('cloudtrail.amazonaws.com:StopLogging');
    expect(declared).toContain('directconnect.amazonaws.com:CreatePrivateVirtualInterface');
    expect(declared).not.toContain('ec2.amazonaws.com:CreateSecurityGroup');
    expect(declared).not.toContain('ec2.amazonaws.com:UpdateSecurityGroupRuleDescriptionsIngress');
  });

  it('equals exactly the calls that the sample records turn into changes', () => {
    // Prepare
    const dir = path.join(repoRoot, 'events', 'cloudtrail');
    const yielding = new Set<string>();
    // Act
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const result = normalize(sample(file.replace(/\.json$/, '')));
      if (result.kind === 'changes')
        for (const change of changesOf(result)) yielding.add(`${change.api?.source}:${change.api?.name}`);
    }
    // Assess
    expect([...yielding].sort()).toEqual([...declared].sort());
  });
});
