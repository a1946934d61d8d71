import { describe, expect, it } from 'vitest';
import { changesOf, deltasOf, ignoredReason, malformed, normalize, onlyChange, params, sample } from './fixtures.ts';

describe('CloudTrail flow-log calls', () => {
  it('DeleteFlowLogs (wrapped list of {tag, content}): one change per flow log, ids suffixed with the resource', () => {
    // Prepare
    const record = sample('delete-flow-logs-wrapped-list');
    // Act
    const list = changesOf(normalize(record));
    // Assess
    expect(list.map((c) => [c.id, c.resource.type, c.resource.id])).toEqual([
      [`${String(record['eventID'])}/fl-0a1b2c3d4e5f60718`, 'AWS::EC2::FlowLog', 'fl-0a1b2c3d4e5f60718'],
      [`${String(record['eventID'])}/fl-0b2c3d4e5f6071829`, 'AWS::EC2::FlowLog', 'fl-0b2c3d4e5f6071829'],
    ]);
    expect(list[0]?.deltas).toEqual([
      { kind: 'logging', op: 'removed', subject: 'flow-log', id: 'fl-0a1b2c3d4e5f60718', action: 'deleted' },
    ]);
  });

  it('DeleteFlowLogs (old items shape) skips ids listed as unsuccessful', () => {
    // Prepare
    const record = sample('delete-flow-logs-old-style');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.id).toBe(record['eventID']);
    expect(change.resource.id).toBe('fl-0c3d4e5f607182930');
  });

  it('DeleteFlowLogs without ids → MalformedInputError in the wrapped request', () => {
    // Prepare
    const record = sample('delete-flow-logs-wrapped-list');
    record['requestParameters'] = { DeleteFlowLogsRequest: {} };
    // Act
    const error = malformed(record);
    // Assess
    expect(error.message).toContain('DeleteFlowLogs: requestParameters.flowLogIds missing or empty');
    expect(error.where.path).toBe('/requestParameters/DeleteFlowLogsRequest/flowLogIds');
  });

  it('CreateFlowLogs: created/added, id from the response, VPC from the request', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('create-flow-logs')));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::EC2::FlowLog',
      id: 'fl-0e5f60718293a4b5c',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(change.deltas).toEqual([
      { kind: 'logging', op: 'added', subject: 'flow-log', id: 'fl-0e5f60718293a4b5c', action: 'created' },
    ]);
  });
});

describe('CloudTrail trail calls', () => {
  it('StopLogging by ARN: resource id is the trail name, ARN kept', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('stop-logging')));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::CloudTrail::Trail',
      id: 'org-audit',
      name: 'org-audit',
      arn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit',
    });
    expect(change.deltas).toEqual([
      { kind: 'logging', op: 'changed', subject: 'trail', id: 'org-audit', action: 'stopped' },
    ]);
  });

  it('DeleteTrail / StartLogging / CreateTrail actions and ops', () => {
    // Prepare / Act
    const actions = ['delete-trail', 'start-logging', 'create-trail'].map(
      (n) => deltasOf(onlyChange(normalize(sample(n))), 'logging')[0],
    );
    // Assess
    expect(actions.map((d) => [d?.action, d?.op, d?.id])).toEqual([
      ['deleted', 'removed', 'org-audit'],
      ['started', 'changed', 'org-audit'],
      ['created', 'added', 'org-audit'],
    ]);
  });

  it('UpdateTrail weakening: multi-region, validation, global events off and a new bucket', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('update-trail-weakened')));
    // Assess
    expect(change.resource.arn).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit');
    expect(deltasOf(change, 'logging')[0]).toEqual({
      kind: 'logging',
      op: 'changed',
      subject: 'trail',
      id: 'org-audit',
      action: 'updated',
      weakenings: ['multi-region off', 'log-file validation off', 'global service events off', 'destination changed'],
    });
  });

  it('UpdateTrail strengthening only, and organization trail off', () => {
    // Prepare
    const orgOff = sample('update-trail-strengthened');
    params(orgOff)['isOrganizationTrail'] = false;
    // Act
    const strong = deltasOf(onlyChange(normalize(sample('update-trail-strengthened'))), 'logging')[0];
    const weak = deltasOf(onlyChange(normalize(orgOff)), 'logging')[0];
    // Assess
    expect(strong?.weakenings).toBeUndefined();
    expect(strong?.strengthenings).toEqual(['multi-region on', 'log-file validation on']);
    expect(weak?.weakenings).toEqual(['organization trail off']);
  });

  it('PutEventSelectors: management events off (basic), off (advanced, data only), on (advanced Management)', () => {
    // Prepare / Act
    const [basicOff, advancedOff, advancedOn] = [
      'put-event-selectors-mgmt-off',
      'put-advanced-event-selectors-data-only',
      'put-advanced-event-selectors-management',
    ].map((n) => deltasOf(onlyChange(normalize(sample(n))), 'logging')[0]);
    // Assess
    expect(basicOff).toMatchObject({ action: 'updated', id: 'org-audit', weakenings: ['management events off'] });
    expect(advancedOff).toMatchObject({ weakenings: ['management events off'] });
    expect(advancedOn).toMatchObject({ strengthenings: ['management events on'] });
    expect(advancedOn?.weakenings).toBeUndefined();
  });

  it('PutEventSelectors: a ReadOnly selector drops write management events; excluded sources are a weakening', () => {
    // Prepare
    const readOnly = sample('put-event-selectors-mgmt-off');
    params(readOnly)['eventSelectors'] = [
      {
        readWriteType: 'ReadOnly',
        includeManagementEvents: true,
        dataResources: [],
        excludeManagementEventSources: ['kms.amazonaws.com'],
      },
    ];
    // Act
    const [delta] = deltasOf(onlyChange(normalize(readOnly)), 'logging');
    // Assess
    expect(delta?.weakenings).toEqual([
      'management events off',
      'management event sources excluded: kms.amazonaws.com',
    ]);
  });

  it('StopLogging without a name → MalformedInputError; StartLogging without one is ignored', () => {
    // Prepare
    const stop = sample('stop-logging');
    stop['requestParameters'] = {};
    const start = sample('start-logging');
    start['requestParameters'] = { encryptionContext: {} };
    // Act / Assess
    expect(malformed(stop).message).toBe('StopLogging: requestParameters.name missing');
    expect(ignoredReason(normalize(start))).toContain('StartLogging without requestParameters.name');
  });
});

describe('CloudTrail AWS Config calls', () => {
  it('Stop / Start / Delete configuration recorder', () => {
    // Prepare / Act
    const deltas = ['stop-config-recorder', 'start-config-recorder', 'delete-config-recorder'].map((n) =>
      onlyChange(normalize(sample(n))),
    );
    // Assess
    expect(deltas.map((c) => c.resource)).toEqual(
      Array(3).fill({ type: 'AWS::Config::ConfigurationRecorder', id: 'default', name: 'default' }),
    );
    expect(
      deltas.map((c) => [
        deltasOf(c, 'logging')[0]?.subject,
        deltasOf(c, 'logging')[0]?.action,
        deltasOf(c, 'logging')[0]?.op,
      ]),
    ).toEqual([
      ['config-recorder', 'stopped', 'changed'],
      ['config-recorder', 'started', 'changed'],
      ['config-recorder', 'deleted', 'removed'],
    ]);
  });

  it('PutConfigurationRecorder recording nothing, and excluding network types with daily recording', () => {
    // Prepare / Act
    const nothing = deltasOf(onlyChange(normalize(sample('put-config-recorder-nothing'))), 'logging')[0];
    const excluded = deltasOf(onlyChange(normalize(sample('put-config-recorder-exclude-sg'))), 'logging')[0];
    // Assess
    expect(nothing).toMatchObject({ action: 'updated', weakenings: ['recording nothing'] });
    expect(excluded?.weakenings).toEqual([
      'network resource types excluded: AWS::EC2::SecurityGroup, AWS::EC2::NetworkAcl',
      'daily recording',
    ]);
  });

  it('PutConfigurationRecorder with allSupported true is a strengthening', () => {
    // Prepare
    const record = sample('put-config-recorder-nothing');
    const recorder = params(record)['configurationRecorder'] as { recordingGroup: Record<string, unknown> };
    recorder.recordingGroup = { allSupported: true, includeGlobalResourceTypes: true };
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'logging');
    // Assess
    expect(delta?.strengthenings).toEqual(['all resource types recorded']);
    expect(delta?.weakenings).toBeUndefined();
  });

  it('DeleteDeliveryChannel and PutDeliveryChannel (new bucket = destination changed)', () => {
    // Prepare / Act
    const deleted = onlyChange(normalize(sample('delete-delivery-channel')));
    const put = onlyChange(normalize(sample('put-delivery-channel')));
    // Assess
    expect(deleted.resource).toEqual({ type: 'AWS::Config::DeliveryChannel', id: 'default', name: 'default' });
    expect(deleted.deltas).toEqual([
      { kind: 'logging', op: 'removed', subject: 'config-delivery-channel', id: 'default', action: 'deleted' },
    ]);
    expect(deltasOf(put, 'logging')[0]).toMatchObject({ action: 'updated', weakenings: ['destination changed'] });
  });

  it('StopConfigurationRecorder without a name → MalformedInputError', () => {
    // Prepare
    const record = sample('stop-config-recorder');
    record['requestParameters'] = null;
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/requestParameters/configurationRecorderName');
  });
});
