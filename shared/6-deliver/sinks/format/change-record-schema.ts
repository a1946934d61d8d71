import * as z from 'zod';
import type { DeltaKind } from '../../../model/change.ts';
import { EXPOSURE_KINDS, REACH_VERDICTS } from '../../../model/exposure.ts';
import { RESPONSE_ACTIONS, RESPONSE_MODES } from '../../../model/finding.ts';
import { actorFields, resourceRefFields } from '../../../model/fields.ts';
import { APPROVAL_STATES } from '../../../model/notice.ts';
import { SEVERITIES } from '../../../model/severity.ts';
import { STATEFUL_KINDS } from '../../../model/state.ts';
import { TRAFFIC_EVIDENCE_STATUSES } from '../../../model/traffic.ts';
import { CHANGE_RECORD_SCHEMA_VERSION, type ChangeRecord } from './change-record.ts';

/**
 * The change record's published contract, as a zod schema: `schemas/change-record.schema.json` is
 * `z.toJSONSchema(CHANGE_RECORD)` ({@link changeRecordJsonSchema}, written by `npm run generate:docs`), and
 * test/6-deliver/sinks/change-record.test.ts fails while the file differs, and checks real records (built by
 * change-record.ts) against both this schema and the JSON Schema. The closed lists (severities, approval states,
 * exposure and state kinds, traffic statuses) come from the model, so the contract follows it. Kept out of the
 * Lambda bundles: nothing at run time imports this file.
 *
 * Receivers read the record; they must accept fields added later (the JSON Schema is strict about the fields that
 * exist today, so an additive change is a new schema file with `schemaVersion` still 1).
 */

const dateTime = () => z.string().meta({ format: 'date-time' });
const count = () => z.number().int().min(0);

/** Every delta kind: exhaustive (a kind added to the model and not here fails the type-check). */
const DELTA_KINDS = [
  'sg-permission',
  'route',
  'nacl-entry',
  'gateway-attachment',
  'endpoint-policy',
  'endpoint-service-permission',
  'endpoint-service-acceptance',
  'peering',
  'hybrid-link',
  'logging',
  'subnet-attribute',
  'load-balancer',
  'compliance',
  'uninspected',
  'prefix-list-entry',
  'subnet-association',
  'binding',
] as const satisfies readonly DeltaKind[];
const everyDeltaKind: Exclude<DeltaKind, (typeof DELTA_KINDS)[number]> extends never ? true : never = true;
void everyDeltaKind;

const severity = z.enum(SEVERITIES).meta({ id: 'severity' });

const actionTotals = z
  .looseObject({ sources: count(), flows: count(), packets: count(), bytes: count() })
  .meta({ id: 'actionTotals' });

const traffic = z
  .looseObject({
    status: z.enum(TRAFFIC_EVIDENCE_STATUSES),
    summary: z.string(),
    since: dateTime(),
    until: dateTime(),
    interfaces: z.array(z.string()),
    interfaceCount: count(),
    portScope: z.array(z.string()),
    sourceScope: z.enum(['external', 'any']),
    externalSources: count(),
    accepted: actionTotals,
    rejected: actionTotals,
    ports: z.array(
      z.looseObject({
        protocol: z.string(),
        port: z.number().int().optional(),
        sources: z.number().int(),
        acceptedSources: z.number().int(),
        bytes: z.number().int(),
      }),
    ),
    topSources: z.array(
      z.looseObject({
        address: z.string(),
        bytes: z.number().int(),
        packets: z.number().int(),
        flows: z.number().int(),
        accepted: z.boolean(),
        rejected: z.boolean(),
        ports: z.array(z.string()),
      }),
    ),
    truncated: z.boolean(),
    query: z
      .looseObject({
        text: z.string(),
        logGroups: z.array(z.string()),
        queryId: z.string().optional(),
        consoleUrl: z.string().optional(),
        savedQueryName: z.string().optional(),
        bytesScanned: z.number().optional(),
        recordsScanned: z.number().optional(),
        recordsMatched: z.number().optional(),
      })
      .optional(),
    notes: z.array(z.string()),
    denied: z.array(z.string()).optional().meta({
      description:
        'IAM actions AWS refused while gathering (e.g. logs:StartQuery); status is denied when nothing could be read because of them.',
    }),
    gatheredAt: dateTime(),
  })
  .meta({
    id: 'traffic',
    description: 'VPC flow logs of the affected network interfaces since the exposure opened (docs/flow-logs.md).',
  });

const resource = z
  .strictObject({
    ...resourceRefFields(),
    type: z.string().meta({ description: 'AWS Config / CloudFormation type name, e.g. AWS::EC2::SecurityGroup.' }),
    tagsBefore: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Tags before the change, when the source says (AWS Config); approvals match these.' }),
  })
  .meta({ id: 'resource' });

const actor = z.strictObject(actorFields()).meta({ id: 'actor' });

const delta = z
  .looseObject({ kind: z.enum(DELTA_KINDS), op: z.enum(['added', 'removed', 'changed']) })
  .meta({ id: 'delta', description: 'A NetworkDelta (shared/model/change.ts); `kind` selects its shape.' });

const episode = z
  .strictObject({
    id: z.string().regex(/^ep-[0-9a-f]{16}$/),
    state: z.enum(['open', 'closed']),
    kind: z.enum(EXPOSURE_KINDS),
    exposure: z.string().meta({ description: 'What is (or was) exposed, one line.' }),
    openedAt: dateTime(),
    openedBy: z.string().optional(),
    closedAt: dateTime().optional(),
    closedBy: z.string().optional(),
    openSeconds: count().optional().meta({ description: 'How long the episode was open (closed episodes).' }),
  })
  .meta({ id: 'episode' });

const finding = z
  .strictObject({
    fingerprint: z.string(),
    ruleId: z.string(),
    title: z.string(),
    summary: z.string(),
    severity,
    category: z.string(),
    resource,
    account: z.string(),
    region: z.string(),
    actor: actor.optional(),
    api: z.strictObject({ source: z.string(), name: z.string() }).optional(),
    at: dateTime(),
    source: z.enum(['cloudtrail', 'config']),
    changeId: z.string(),
    evidence: z.array(delta),
    why: z.array(z.string()),
    related: z.array(z.string()).optional(),
    episode: episode.optional(),
    reach: z
      .strictObject({
        verdict: z.enum(REACH_VERDICTS),
        text: z.string(),
        assumed: z.array(z.string()).optional(),
      })
      .optional()
      .meta({
        description:
          'Whether the internet can reach something through the exposure now (kept state): the path, or the missing link.',
      }),
    response: z
      .strictObject({
        action: z.enum(RESPONSE_ACTIONS),
        mode: z.enum(RESPONSE_MODES),
        dueAt: dateTime().optional(),
        calls: z.array(z.string()),
        result: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          'Opt-in response (docs/response.md): what Netwatch reverts (or, in dry run, would revert) unless an approval arrives, and what it did.',
      }),
    stateAfter: z
      .looseObject({ kind: z.enum(STATEFUL_KINDS), id: z.string() })
      .optional()
      .meta({
        description:
          "The resource's network state after the change (kept state): rules, entries, routes, associations, policy, principals, attachments.",
      }),
  })
  .meta({ id: 'finding' });

/** The fields each kind of record must carry. */
const REQUIRED_BY_KIND = {
  finding: ['finding'],
  digest: ['digest'],
  evidence: ['finding', 'traffic'],
} as const satisfies Record<ChangeRecord['kind'], readonly (keyof ChangeRecord)[]>;

/** The change record (shared/6-deliver/sinks/format/change-record.ts builds it; every machine sink sends it). */
export const CHANGE_RECORD = z
  .strictObject({
    schemaVersion: z.literal(CHANGE_RECORD_SCHEMA_VERSION),
    kind: z.enum(['finding', 'digest', 'evidence']).meta({
      description:
        '`evidence`: a follow-up with the traffic evidence of the finding with the same fingerprint (delivered with Idempotency-Key `<fingerprint>.traffic`).',
    }),
    fingerprint: z
      .string()
      .min(1)
      .max(128)
      .meta({ description: 'Finding fingerprint, or `digest-<hash>` of account + rule + window.' }),
    ruleId: z.string().min(1),
    severity,
    category: z.string().min(1),
    account: z.string().regex(/^\d{12}$/),
    region: z.string().min(1).meta({ description: 'AWS region, or `multiple` for a digest spanning regions.' }),
    finding: finding.optional(),
    traffic: traffic.optional(),
    digest: z
      .strictObject({
        windowStart: dateTime(),
        windowEnd: dateTime(),
        count: count().meta({ description: 'Findings in the window (may exceed findings[] when shortened).' }),
        findings: z.array(finding),
      })
      .optional(),
    change: z.strictObject({
      title: z.string(),
      summary: z.string(),
      resource: resource.nullable(),
      actor: z
        .string()
        .nullable()
        .meta({ description: 'Who made the change, rendered: ARN (type) from IP using user agent.' }),
      at: dateTime(),
      details: z.array(z.string()).meta({ description: 'One human line per delta (digest: per finding).' }),
      consoleUrl: z.string().nullable().meta({ format: 'uri' }),
      eventUrl: z.string().nullable().meta({ format: 'uri' }),
    }),
    approval: z.strictObject({
      state: z.enum(APPROVAL_STATES),
      ticket: z.string().nullable(),
      window: z.strictObject({ start: dateTime(), end: dateTime() }).nullable(),
      reason: z.string(),
      allowlist: z.string().nullable(),
    }),
    approved: z.boolean().meta({ description: 'True only when approval.state is `approved`.' }),
    episode: episode.optional().meta({
      description:
        'The exposure episode the finding is about (kept state). state `closed` marks the record of a close: closedBy, closedAt, openSeconds.',
    }),
    routes: z.array(z.string()),
    shortened: z.strictObject({ omitted: count(), reason: z.string() }).optional(),
    deliveredAt: dateTime(),
  })
  .superRefine((record, ctx) => {
    for (const field of REQUIRED_BY_KIND[record.kind])
      if (record[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `kind ${record.kind} needs ${field}` });
  })
  .meta({
    $id: 'https://netwatch.dev/schemas/change-record.schema.json',
    title: 'Netwatch change record',
    description:
      'One network finding (or a digest of findings; or the record of a network change, or of a closed exposure episode: kind `finding` with `episode.state` `closed`) as delivered to change-management webhooks, SQS, EventBridge (as the event detail) and the S3 audit archive. Receivers dedup on `fingerprint` (also sent as the Idempotency-Key header). Additive changes keep schemaVersion 1.',
    // What each kind carries: the refinement above, in JSON Schema words (zod cannot derive it from a refinement).
    oneOf: Object.entries(REQUIRED_BY_KIND).map(([kind, required]) => ({
      properties: { kind: { const: kind } },
      required: [...required],
    })),
  });

/** schemas/change-record.schema.json: the JSON Schema of {@link CHANGE_RECORD}, as the file holds it. */
export function changeRecordJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(CHANGE_RECORD, { target: 'draft-2020-12', io: 'output' }), null, 2)}\n`;
}
