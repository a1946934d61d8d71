import * as z from 'zod';
import type { LoggingDelta } from '../../model/change.ts';
import type { ExtractInput, Extractor } from './extractor.ts';
import { ciObject, optionalBoolean, optionalList, optionalString } from './field-case.ts';
import { TRAIL_FLAGS } from '../trail-flags.ts';
import { listed, type Strengthening, type Weakening } from '../../model/logging.ts';

/**
 * Audit-logging resources → {@link LoggingDelta}s with the ways logging got weaker or stronger.
 *
 * `AWS::CloudTrail::Trail` (the `DescribeTrails` shape: `isMultiRegionTrail`, `logFileValidationEnabled`,
 * `includeGlobalServiceEvents`, `s3BucketName`, `s3KeyPrefix`, `kmsKeyId`, `cloudWatchLogsLogGroupArn`,
 * `isOrganizationTrail`). The Config schema has no `isLogging` (that is `GetTrailStatus`); it is read when present
 * so a stop is reported as `stopped`, otherwise StopLogging is seen through CloudTrail only.
 *
 * `AWS::Config::ConfigurationRecorder` (CloudFormation shape, PascalCase: `Recording`, `RecordingGroup
 * {AllSupported, IncludeGlobalResourceTypes, ResourceTypes, ExclusionByResourceTypes}`, `RoleARN`).
 *
 * Discovered → `added`/created; deleted → `removed`/deleted; an update → `changed` with `action` stopped/started/
 * updated, only when something logging-relevant moved (tags alone give nothing).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorder.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html
 * @see https://github.com/awslabs/aws-config-resource-schema (Trail and ConfigurationRecorder property names)
 */

/** A boolean setting whose loss weakens logging: field, weakening when it turns off, strengthening when on. */
type Flag<T> = [keyof T, Weakening, Strengthening];

/** Collects weakenings/strengthenings between two states; returns the delta or nothing. */
function compare<T extends Record<string, unknown>>(
  input: ExtractInput,
  subject: LoggingDelta['subject'],
  id: string,
  before: T | undefined,
  after: T | undefined,
  flags: ReadonlyArray<Flag<T>>,
  extra: (before: T, after: T, weakenings: Weakening[], strengthenings: Strengthening[]) => void,
  running: keyof T | undefined,
): LoggingDelta[] {
  if (input.lifecycle === 'deleted') return [{ kind: 'logging', op: 'removed', subject, id, action: 'deleted' }];
  if (after === undefined) return [];
  if (before === undefined)
    return input.lifecycle === 'created' ? [{ kind: 'logging', op: 'added', subject, id, action: 'created' }] : [];
  const weakenings: Weakening[] = [];
  const strengthenings: Strengthening[] = [];
  for (const [field, off, on] of flags) {
    if (before[field] === true && after[field] === false) weakenings.push(off);
    if (before[field] === false && after[field] === true) strengthenings.push(on);
  }
  extra(before, after, weakenings, strengthenings);
  const wasRunning = running === undefined ? undefined : before[running];
  const isRunning = running === undefined ? undefined : after[running];
  const action: LoggingDelta['action'] =
    wasRunning === true && isRunning === false
      ? 'stopped'
      : wasRunning === false && isRunning === true
        ? 'started'
        : 'updated';
  if (action === 'updated' && weakenings.length === 0 && strengthenings.length === 0) return [];
  return [
    {
      kind: 'logging',
      op: 'changed',
      subject,
      id,
      action,
      ...(weakenings.length ? { weakenings } : {}),
      ...(strengthenings.length ? { strengthenings } : {}),
    },
  ];
}

const TrailState = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      name: optionalString,
      trailARN: optionalString,
      isLogging: optionalBoolean,
      isMultiRegionTrail: optionalBoolean,
      logFileValidationEnabled: optionalBoolean,
      includeGlobalServiceEvents: optionalBoolean,
      isOrganizationTrail: optionalBoolean,
      s3BucketName: optionalString,
      s3KeyPrefix: optionalString,
      kmsKeyId: optionalString,
      cloudWatchLogsLogGroupArn: optionalString,
    }),
  }),
);
type Trail = z.output<typeof TrailState>['configuration'];

const TRAIL_ITEM_FLAGS: ReadonlyArray<Flag<Trail>> = TRAIL_FLAGS.map((f) => [f.item, f.off, f.on]);

export const trail: Extractor = (input) => {
  const before = input.read(TrailState, 'before')?.configuration;
  const after = input.read(TrailState, 'after')?.configuration;
  const config = after ?? before;
  const id = config?.trailARN ?? input.resourceId;
  return compare(input, 'trail', id, before, after, TRAIL_ITEM_FLAGS, trailExtras, 'isLogging');
};

function trailExtras(before: Trail, after: Trail, weakenings: Weakening[], strengthenings: Strengthening[]): void {
  if (before.s3BucketName !== after.s3BucketName || before.s3KeyPrefix !== after.s3KeyPrefix)
    weakenings.push('destination changed');
  if (before.kmsKeyId !== undefined && after.kmsKeyId === undefined) weakenings.push('encryption off');
  if (before.kmsKeyId === undefined && after.kmsKeyId !== undefined) strengthenings.push('encryption on');
  if (before.kmsKeyId !== undefined && after.kmsKeyId !== undefined && before.kmsKeyId !== after.kmsKeyId)
    weakenings.push('encryption key changed');
  if (before.cloudWatchLogsLogGroupArn !== undefined && after.cloudWatchLogsLogGroupArn === undefined)
    weakenings.push('cloudwatch logs delivery off');
  if (before.cloudWatchLogsLogGroupArn === undefined && after.cloudWatchLogsLogGroupArn !== undefined)
    strengthenings.push('cloudwatch logs delivery on');
}

const RecorderState = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      name: optionalString,
      recording: optionalBoolean,
      roleARN: optionalString,
      recordingGroup: ciObject({
        allSupported: optionalBoolean,
        includeGlobalResourceTypes: optionalBoolean,
        resourceTypes: optionalList(z.string()),
        exclusionByResourceTypes: ciObject({ resourceTypes: optionalList(z.string()) }).nullish(),
      }).nullish(),
    }),
  }),
);
type RecorderConfig = z.output<typeof RecorderState>['configuration'];
interface Recorder extends Record<string, unknown> {
  recording: boolean | undefined;
  allSupported: boolean | undefined;
  includeGlobalResourceTypes: boolean | undefined;
  resourceTypes: string[];
  excluded: string[];
  roleARN: string | undefined;
}

function flatRecorder(config: RecorderConfig | undefined): Recorder | undefined {
  if (config === undefined) return undefined;
  return {
    recording: config.recording,
    allSupported: config.recordingGroup?.allSupported,
    includeGlobalResourceTypes: config.recordingGroup?.includeGlobalResourceTypes,
    resourceTypes: config.recordingGroup?.resourceTypes ?? [],
    excluded: config.recordingGroup?.exclusionByResourceTypes?.resourceTypes ?? [],
    roleARN: config.roleARN,
  };
}

const RECORDER_FLAGS: ReadonlyArray<Flag<Recorder>> = [
  ['allSupported', 'all resource types off', 'all resource types on'],
  ['includeGlobalResourceTypes', 'global resource types off', 'global resource types on'],
];

export const configurationRecorder: Extractor = (input) => {
  const beforeConfig = input.read(RecorderState, 'before')?.configuration;
  const afterConfig = input.read(RecorderState, 'after')?.configuration;
  const id = (afterConfig ?? beforeConfig)?.name ?? input.resourceName ?? input.resourceId;
  return compare(
    input,
    'config-recorder',
    id,
    flatRecorder(beforeConfig),
    flatRecorder(afterConfig),
    RECORDER_FLAGS,
    recorderExtras,
    'recording',
  );
};

function recorderExtras(
  before: Recorder,
  after: Recorder,
  weakenings: Weakening[],
  strengthenings: Strengthening[],
): void {
  const dropped = before.resourceTypes.filter((t) => !after.resourceTypes.includes(t));
  const gained = after.resourceTypes.filter((t) => !before.resourceTypes.includes(t));
  // A type list only means something when neither side records all supported types (`allSupported` flags cover that).
  const typesListed = before.allSupported !== true && after.allSupported !== true;
  if (typesListed && dropped.length) weakenings.push(listed('resource types removed', dropped));
  if (typesListed && gained.length) strengthenings.push(listed('resource types added', gained));
  const excluded = after.excluded.filter((t) => !before.excluded.includes(t));
  const included = before.excluded.filter((t) => !after.excluded.includes(t));
  if (excluded.length) weakenings.push(listed('resource types excluded', excluded));
  if (included.length) strengthenings.push(listed('resource types no longer excluded', included));
  if (before.roleARN !== undefined && before.roleARN !== after.roleARN) weakenings.push('role changed');
}
