import { RESOURCE_TYPES } from '../../model/change.ts';
import type { LoggingDelta, LoggingSubject, ResourceRef } from '../../model/change.ts';
import { accountFromArn } from './record.ts';
import { EC2, many, one, skip } from './call.ts';
import type { Call, CallEntry, ChangeItem, Outcome } from './call.ts';
import type { Shape } from './request-shape.ts';
import { TRAIL_FLAGS } from '../trail-flags.ts';
import { listed, type Strengthening, type Weakening } from '../../model/logging.ts';

/**
 * Audit-logging calls → {@link LoggingDelta}: VPC flow logs, CloudTrail trails and the AWS Config recorder / delivery
 * channel. Blinding these is how an intruder hides a network change, so stopping, deleting and weakening updates are
 * all deltas; `weakenings` / `strengthenings` name each way an update moved (CloudTrail does not log the previous
 * settings, so each is "set to", not "changed from").
 */

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const CONFIG = 'config.amazonaws.com';

type Action = LoggingDelta['action'];

const OP: Readonly<Record<Action, LoggingDelta['op']>> = {
  created: 'added',
  deleted: 'removed',
  stopped: 'changed',
  started: 'changed',
  updated: 'changed',
};

function logging(
  subject: LoggingSubject,
  id: string,
  action: Action,
  weakenings: Weakening[] = [],
  strengthenings: Strengthening[] = [],
): LoggingDelta {
  const delta: LoggingDelta = { kind: 'logging', op: OP[action], subject, id, action };
  if (weakenings.length > 0) delta.weakenings = weakenings;
  if (strengthenings.length > 0) delta.strengthenings = strengthenings;
  return delta;
}

// ---------------------------------------------------------------------------------------------------------------
// VPC flow logs
// ---------------------------------------------------------------------------------------------------------------

const FLOW_LOG_TYPE = 'AWS::EC2::FlowLog';

/** A flow-log id member: a plain string, `{tag, content}` (unwrapped by list()), or `{flowLogId}`. */
function flowLogId(call: Call, member: Shape): string {
  return member.str() ?? call.required(member.field('flowLogId'));
}

/** Resource ids EC2 reports it could not act on (`unsuccessful` items). */
function unsuccessful(call: Call): Set<string> {
  return new Set(
    call.response
      .field('unsuccessful')
      .list()
      .map((u) => u.field('resourceId').str())
      .filter((id): id is string => id !== undefined),
  );
}

/**
 * DeleteFlowLogs: one change per flow log (ids as `flowLogIds.items`, a `flowLogId` array, or the wrapped
 * `DeleteFlowLogsRequest.FlowLogId` member(s)); ids listed under `unsuccessful` were not deleted.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html
 */
function flowLogsDeleted(call: Call): Outcome {
  const idsShape = call.params.field('flowLogIds', 'flowLogId');
  const ids = idsShape.list().map((m) => flowLogId(call, m));
  if (ids.length === 0) call.fail(idsShape, 'requestParameters.flowLogIds missing or empty');
  const failed = unsuccessful(call);
  const deleted = ids.filter((id) => !failed.has(id));
  if (deleted.length === 0) return skip('DeleteFlowLogs: every flow log is listed as unsuccessful');
  return many(
    deleted.map(
      (id): ChangeItem => ({ resource: { type: FLOW_LOG_TYPE, id }, deltas: [logging('flow-log', id, 'deleted')] }),
    ),
  );
}

/**
 * CreateFlowLogs: the new ids are only in the response (`flowLogIdSet`); the monitored resources (`resourceIds`)
 * pair with them in order when every creation succeeded.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html
 */
function flowLogsCreated(call: Call): Outcome {
  const idsShape = call.response.field('flowLogIdSet', 'flowLogIds');
  const ids = idsShape.list().map((m) => flowLogId(call, m));
  if (ids.length === 0) {
    if (unsuccessful(call).size > 0) return skip('CreateFlowLogs: every flow log creation was unsuccessful');
    call.fail(idsShape, 'responseElements.flowLogIdSet missing or empty');
  }
  const targets = call.params
    .field('resourceIds', 'resourceId')
    .list()
    .map((m) => m.str());
  return many(
    ids.map((id, i): ChangeItem => {
      const target = ids.length === targets.length ? targets[i] : undefined;
      const resource: ResourceRef = target?.startsWith('vpc-')
        ? { type: FLOW_LOG_TYPE, id, vpcId: target }
        : { type: FLOW_LOG_TYPE, id };
      return {
        resource,
        deltas: [logging('flow-log', id, 'created')],
        ...(target !== undefined ? { notes: [`logs ${target}`] } : {}),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// CloudTrail trails
// ---------------------------------------------------------------------------------------------------------------

/**
 * A trail as named in the call: `name` (or `trailName` for PutEventSelectors) may be a bare name or an ARN
 * `arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME`. The resource id is always the bare name; the ARN goes to `arn`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html (Name: name or ARN)
 */
function trailOf(call: Call, nameShape: Shape): { resource: ResourceRef; accountHint?: string } {
  const given = call.required(nameShape);
  const arn = given.startsWith('arn:') ? given : call.response.field('trailARN').str();
  const id = given.startsWith('arn:') ? (given.split(':trail/')[1] ?? given) : given;
  const resource: ResourceRef = { type: 'AWS::CloudTrail::Trail', id, name: id };
  if (arn?.startsWith('arn:')) resource.arn = arn;
  const accountHint = accountFromArn(arn);
  return accountHint !== undefined ? { resource, accountHint } : { resource };
}

function trailAction(action: Action) {
  return (call: Call): Outcome => {
    const nameShape = call.params.field('name');
    // StartLogging only strengthens logging; a record without the trail name (seen in the wild) has nothing to report.
    if (action === 'started' && nameShape.str() === undefined)
      return skip('StartLogging without requestParameters.name: starting logging is never a risk');
    const { resource, accountHint } = trailOf(call, nameShape);
    return one(resource, [logging('trail', resource.id, action)], accountHint !== undefined ? { accountHint } : {});
  };
}

/**
 * UpdateTrail: each flag set to false weakens, to true strengthens; an `s3BucketName` in the request points the logs
 * somewhere (`destination changed` — the old bucket is not logged, so a re-statement of the same bucket also counts).
 * An explicitly empty `kmsKeyId` with no `kmsKeyId` in the response means the trail is unencrypted after the call
 * (`encryption off`); an explicitly empty `cloudWatchLogsLogGroupArn` drops CloudWatch Logs delivery. Console and
 * SDK samples send empty strings for unset fields, so these two are judgement calls, reported as weakenings to read.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
 */
function trailUpdated(call: Call): Outcome {
  const { resource, accountHint } = trailOf(call, call.params.field('name'));
  const weakenings: Weakening[] = [];
  const strengthenings: Strengthening[] = [];
  for (const { request, off, on } of TRAIL_FLAGS) {
    const value = call.params.field(request).bool();
    if (value === false) weakenings.push(off);
    if (value === true) strengthenings.push(on);
  }
  if (call.params.field('s3BucketName').str() !== undefined) weakenings.push('destination changed');
  const kms = call.params.field('kmsKeyId').rawStr();
  if (kms === '' && call.response.field('kmsKeyId').str() === undefined) weakenings.push('encryption off');
  if (kms !== undefined && kms !== '') strengthenings.push('encryption on');
  if (call.params.field('cloudWatchLogsLogGroupArn').rawStr() === '') weakenings.push('cloudwatch logs delivery off');
  return one(
    resource,
    [logging('trail', resource.id, 'updated', weakenings, strengthenings)],
    accountHint !== undefined ? { accountHint } : {},
  );
}

/** An advanced selector that logs write management events: `eventCategory = Management` and not `readOnly = true`. */
function advancedLogsManagementWrites(selector: Shape): boolean {
  const fields = selector.field('fieldSelectors').list();
  const equals = (name: string): string[] =>
    fields
      .filter((f) => f.field('field').str() === name)
      .flatMap((f) =>
        f
          .field('equals')
          .list()
          .map((v) => v.str() ?? ''),
      );
  return equals('eventCategory').includes('Management') && !equals('readOnly').includes('true');
}

/**
 * PutEventSelectors: management (control-plane) events are what records network changes. They are off when every
 * basic selector has `includeManagementEvents: false` or `readWriteType: ReadOnly` (write calls not logged), or no
 * advanced selector selects `eventCategory = Management` writes. Defaults: includeManagementEvents true, All.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html
 */
function eventSelectorsPut(call: Call): Outcome {
  const { resource, accountHint } = trailOf(call, call.params.field('trailName'));
  const basicShape = call.params.field('eventSelectors');
  const advancedShape = call.params.field('advancedEventSelectors');
  if (!basicShape.present && !advancedShape.present)
    call.fail(basicShape, 'requestParameters.eventSelectors missing (nor advancedEventSelectors)');
  const basic = basicShape.list();
  const advanced = advancedShape.list();
  const weakenings: Weakening[] = [];
  const strengthenings: Strengthening[] = [];
  const managementWrites = advancedShape.present
    ? advanced.some(advancedLogsManagementWrites)
    : basic.some(
        (s) =>
          s.field('includeManagementEvents').bool() !== false &&
          (s.field('readWriteType').str() ?? 'All') !== 'ReadOnly',
      );
  if (managementWrites) strengthenings.push('management events on');
  else weakenings.push('management events off');
  const excluded = basic
    .flatMap((s) =>
      s
        .field('excludeManagementEventSources')
        .list()
        .map((v) => v.str() ?? ''),
    )
    .filter((v) => v !== '');
  if (excluded.length > 0) weakenings.push(listed('management event sources excluded', excluded));
  return one(
    resource,
    [logging('trail', resource.id, 'updated', weakenings, strengthenings)],
    accountHint !== undefined ? { accountHint } : {},
  );
}

// ---------------------------------------------------------------------------------------------------------------
// AWS Config
// ---------------------------------------------------------------------------------------------------------------

const RECORDER_TYPE = 'AWS::Config::ConfigurationRecorder';
const CHANNEL_TYPE = 'AWS::Config::DeliveryChannel';
/** The EC2 network types Netwatch reads from Config; a recorder that skips them blinds the Config path. */
const NETWORK_TYPES: readonly string[] = RESOURCE_TYPES.filter((t) => t.startsWith('AWS::EC2::'));

function recorderAction(action: Action) {
  return (call: Call): Outcome => {
    const name = call.required(call.params.field('configurationRecorderName'));
    return one({ type: RECORDER_TYPE, id: name, name }, [logging('config-recorder', name, action)]);
  };
}

/**
 * PutConfigurationRecorder: weak when the recording group stops covering the EC2 network types (allSupported false
 * with a list that omits them, or an exclusion list that names them) or recording becomes daily.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingMode.html
 */
function recorderPut(call: Call): Outcome {
  const recorder = call.params.field('configurationRecorder');
  const name = recorder.field('name').str() ?? 'default';
  const notes =
    recorder.field('name').str() === undefined
      ? ["configurationRecorder.name not logged; AWS names the recorder 'default'"]
      : [];
  const group = recorder.field('recordingGroup');
  const weakenings: Weakening[] = [];
  const strengthenings: Strengthening[] = [];
  if (group.present) {
    const strategy = group.field('recordingStrategy').field('useOnly').str();
    const allSupported = group.field('allSupported').bool();
    const listedTypes = group
      .field('resourceTypes')
      .list()
      .map((t) => t.str() ?? '');
    const excluded = group
      .field('exclusionByResourceTypes')
      .field('resourceTypes')
      .list()
      .map((t) => t.str() ?? '');
    if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') {
      const hit = NETWORK_TYPES.filter((t) => excluded.includes(t));
      if (hit.length > 0) weakenings.push(listed('network resource types excluded', hit));
    } else if (allSupported === false) {
      if (listedTypes.length === 0) weakenings.push('recording nothing');
      else {
        const missing = NETWORK_TYPES.filter((t) => !listedTypes.includes(t));
        if (missing.length > 0) weakenings.push(listed('network resource types not recorded', missing));
      }
    } else if (allSupported === true) strengthenings.push('all resource types recorded');
  }
  if (recorder.field('recordingMode').field('recordingFrequency').str() === 'DAILY') weakenings.push('daily recording');
  return one(
    { type: RECORDER_TYPE, id: name, name },
    [logging('config-recorder', name, 'updated', weakenings, strengthenings)],
    { notes },
  );
}

/**
 * The delivery channel's name. AWS Config allows one channel per region, named `default` unless set, so a record that
 * omits the name (some published samples do) still names the only channel; we say so in a note.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_DeleteDeliveryChannel.html
 */
function channelName(shape: Shape, notes: string[]): string {
  const name = shape.str();
  if (name !== undefined) return name;
  notes.push(
    `${shape.path.replace(/^\//, '').replace(/\//g, '.')} not logged; assumed the region's only channel, 'default'`,
  );
  return 'default';
}

function channelDeleted(call: Call): Outcome {
  const notes: string[] = [];
  const name = channelName(call.params.field('deliveryChannelName'), notes);
  return one({ type: CHANNEL_TYPE, id: name, name }, [logging('config-delivery-channel', name, 'deleted')], { notes });
}

/** PutDeliveryChannel: a new bucket or topic redirects configuration history (`destination changed`). */
function channelPut(call: Call): Outcome {
  const notes: string[] = [];
  const channel = call.params.field('deliveryChannel');
  const name = channelName(channel.field('name'), notes);
  const weakenings: Weakening[] =
    channel.field('s3BucketName').str() !== undefined || channel.field('snsTopicARN').str() !== undefined
      ? ['destination changed']
      : [];
  return one(
    { type: CHANNEL_TYPE, id: name, name },
    [logging('config-delivery-channel', name, 'updated', weakenings)],
    { notes },
  );
}

/** Logging dispatch rows. */
export const LOGGING_CALLS: CallEntry[] = [
  { source: EC2, name: 'DeleteFlowLogs', handle: flowLogsDeleted },
  { source: EC2, name: 'CreateFlowLogs', handle: flowLogsCreated },
  { source: CLOUDTRAIL, name: 'StopLogging', handle: trailAction('stopped') },
  { source: CLOUDTRAIL, name: 'StartLogging', handle: trailAction('started') },
  { source: CLOUDTRAIL, name: 'DeleteTrail', handle: trailAction('deleted') },
  { source: CLOUDTRAIL, name: 'CreateTrail', handle: trailAction('created') },
  { source: CLOUDTRAIL, name: 'UpdateTrail', handle: trailUpdated },
  { source: CLOUDTRAIL, name: 'PutEventSelectors', handle: eventSelectorsPut },
  { source: CONFIG, name: 'StopConfigurationRecorder', handle: recorderAction('stopped') },
  { source: CONFIG, name: 'StartConfigurationRecorder', handle: recorderAction('started') },
  { source: CONFIG, name: 'DeleteConfigurationRecorder', handle: recorderAction('deleted') },
  { source: CONFIG, name: 'PutConfigurationRecorder', handle: recorderPut },
  { source: CONFIG, name: 'DeleteDeliveryChannel', handle: channelDeleted },
  { source: CONFIG, name: 'PutDeliveryChannel', handle: channelPut },
];
