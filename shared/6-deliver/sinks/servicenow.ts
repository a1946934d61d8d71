import * as z from 'zod';
import type { SecretRef } from '../../platform/aws/secrets.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { Severity } from '../../model/severity.ts';
import { statusOf } from '../change-systems/http-json.ts';
import {
  queryValue,
  ServiceNowClient,
  serviceNowConnectionFields,
  type ServiceNowRecord,
  serviceNowSecretRefs,
} from '../change-systems/servicenow.ts';
import type { SinkDeps } from './deps.ts';
import { digestSeverity } from './format/digest.ts';
import {
  isClose,
  noticeMarker,
  oneLine,
  serviceNowText,
  ticketBody,
  ticketKey,
  ticketNote,
  ticketTitle,
} from './format/ticket.ts';
import type { Sink } from './sink.ts';

/**
 * ServiceNow sink (Table API): one incident — or change task — per exposure episode (per finding outside episodes),
 * found again by its `correlation_id` (`netwatch:<episode id | fingerprint>`), so a retry, a redelivery or the second
 * source of a change updates the ticket instead of opening another:
 * - no ticket yet → `POST` one (short description, description with the whole finding, impact / urgency from the
 *   severity, assignment group, configured fields);
 * - a later change of the same episode, or a traffic follow-up → a work note (once: the note carries the notice's
 *   marker, looked up in `sys_journal_field` before writing);
 * - the exposure closed → the ticket is resolved (state, close code, close notes, a work note).
 * @see https://www.servicenow.com/docs/bundle/washingtondc-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
 */
const FIELD = /^[a-z][a-z0-9_]{0,79}$/;
/** Fields the sink writes itself: configured `fields` may not override them. */
const OWN_FIELDS = new Set([
  'correlation_id',
  'correlation_display',
  'short_description',
  'description',
  'work_notes',
  'impact',
  'urgency',
  'state',
  'close_code',
  'close_notes',
  'assignment_group',
]);

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const impactUrgency = z.strictObject({ impact: level, urgency: level });

/** ServiceNow's impact × urgency (1 high, 2 medium, 3 low) per Netwatch severity: priority 1 … 5. */
export const DEFAULT_SERVICENOW_SEVERITY: Readonly<Record<Severity, { impact: 1 | 2 | 3; urgency: 1 | 2 | 3 }>> = {
  critical: { impact: 1, urgency: 1 },
  high: { impact: 1, urgency: 2 },
  medium: { impact: 2, urgency: 2 },
  low: { impact: 3, urgency: 2 },
  info: { impact: 3, urgency: 3 },
};

/** Which tables: incidents (Incident Management) or change tasks (of a change request set in `fields`). */
export const SERVICENOW_TABLES = ['incident', 'change_task'] as const;

/** How each table is resolved: incident → 6 Resolved; change task → 3 Closed Complete. */
const RESOLVED_STATE: Record<(typeof SERVICENOW_TABLES)[number], string> = { incident: '6', change_task: '3' };

export const serviceNowSettingsSchema = z.strictObject({
  type: z.literal('servicenow'),
  ...serviceNowConnectionFields,
  table: z.enum(SERVICENOW_TABLES).default('incident'),
  /** `assignment_group`: the group's sys_id. */
  assignmentGroup: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'the assignment group sys_id (32 hex characters)')
    .optional(),
  /**
   * More fields to set on create (`category`, `caller_id`, `cmdb_ci`, `change_request` for change tasks, `u_…`):
   * plain values, where `${account}`, `${region}`, `${resourceId}`, `${category}`, `${severity}`, `${ruleId}` are
   * replaced with the finding's (encoded like every other value).
   */
  fields: z
    .record(z.string().regex(FIELD, 'a ServiceNow field name'), z.string().max(4000))
    .default({})
    .superRefine((fields, ctx) => {
      for (const name of Object.keys(fields))
        if (OWN_FIELDS.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by Netwatch` });
    }),
  /** Impact / urgency per severity (defaults: critical 1/1, high 1/2, medium 2/2, low 3/2, info 3/3). */
  severity: z.partialRecord(z.enum(['critical', 'high', 'medium', 'low', 'info']), impactUrgency).default({}),
  /** How a closed exposure resolves the ticket: `state` (default incident 6, change task 3), `closeCode`. */
  resolve: z
    .strictObject({
      state: z
        .string()
        .regex(/^-?\d{1,3}$/, 'a state value (number)')
        .optional(),
      closeCode: z.string().min(1).max(100).optional(),
    })
    .default({ closeCode: 'Resolved by change' }),
  /** Largest description / work note (bytes). */
  maxBytes: z.number().int().min(4096).max(1_000_000).default(32_000),
});

export type ServiceNowSettings = z.output<typeof serviceNowSettingsSchema>;

/** The values `${…}` placeholders in `fields` stand for. */
function placeholders(notice: Notice | DigestNotice): Record<string, string> {
  if (notice.kind === 'digest')
    return {
      account: notice.account,
      region: '',
      resourceId: '',
      category: notice.findings[0]?.category ?? '',
      severity: digestSeverity(notice),
      ruleId: notice.ruleId,
    };
  const f = notice.finding;
  return {
    account: f.account,
    region: f.region,
    resourceId: f.resource.id,
    category: f.category,
    severity: f.severity,
    ruleId: f.ruleId,
  };
}

/** The configured extra fields with their placeholders filled in. */
export function extraFields(fields: Readonly<Record<string, string>>, notice: Notice | DigestNotice) {
  const values = placeholders(notice);
  return Object.fromEntries(
    Object.entries(fields).map(([name, template]) => [
      name,
      serviceNowText(template.replace(/\$\{(\w+)\}/g, (m, key: string) => oneLine(values[key] ?? m, 255))),
    ]),
  );
}

export class ServiceNowSink implements Sink {
  readonly kind = 'servicenow';
  /** A closed exposure resolves the ticket its opening created (shared/6-deliver/orchestrate.ts). */
  readonly resolvesEpisodes = true;
  readonly #client: ServiceNowClient;

  constructor(
    readonly name: string,
    private readonly settings: ServiceNowSettings,
    deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'now' | 'clock'>,
  ) {
    this.#client = new ServiceNowClient(name, settings, deps);
  }

  get secretRefs(): SecretRef[] {
    return serviceNowSecretRefs(this.settings.auth);
  }

  /** The `correlation_id` of the ticket a notice belongs to. */
  static correlationId(notice: Notice | DigestNotice): string {
    return `netwatch:${ticketKey(notice)}`;
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const table = this.settings.table;
    const correlation = ServiceNowSink.correlationId(notice);
    const [existing] = await this.#client.list(table, {
      query: `correlation_id=${queryValue(correlation)}^ORDERBYsys_created_on`,
      fields: ['sys_id', 'number', 'state', 'description'],
      limit: 1,
    });
    const marker = noticeMarker(notice);
    if (isClose(notice)) {
      // A close resolves the ticket the opening created; an episode that never got a ticket here has nothing to close.
      if (existing === undefined) return;
      if (await this.#noted(existing, marker)) return;
      await this.#client.update(table, String(existing['sys_id']), {
        state: this.settings.resolve.state ?? RESOLVED_STATE[table],
        ...(this.settings.resolve.closeCode ? { close_code: this.settings.resolve.closeCode } : {}),
        close_notes: serviceNowText(ticketNote(notice, 4000).join('\n')),
        work_notes: serviceNowText(ticketNote(notice, this.settings.maxBytes).join('\n')),
      });
      return;
    }
    if (existing === undefined) {
      await this.#client.create(table, this.#createFields(notice, correlation));
      return;
    }
    // The create of this very notice was retried (the ticket holds its marker), or its note is already there.
    if (String(existing['description'] ?? '').includes(marker) || (await this.#noted(existing, marker))) return;
    await this.#client.update(table, String(existing['sys_id']), {
      work_notes: serviceNowText(ticketNote(notice, this.settings.maxBytes).join('\n')),
    });
  }

  #createFields(notice: Notice | DigestNotice, correlation: string): Record<string, string> {
    const severity = notice.kind === 'finding' ? notice.finding.severity : digestSeverity(notice);
    const grade = this.settings.severity[severity] ?? DEFAULT_SERVICENOW_SEVERITY[severity];
    return {
      ...extraFields(this.settings.fields, notice),
      short_description: serviceNowText(ticketTitle(notice, 160)),
      description: serviceNowText(ticketBody(notice, this.settings.maxBytes).join('\n')),
      impact: String(grade.impact),
      urgency: String(grade.urgency),
      correlation_id: correlation,
      correlation_display: 'Netwatch',
      ...(this.settings.assignmentGroup ? { assignment_group: this.settings.assignmentGroup } : {}),
    };
  }

  /**
   * Whether a work note carrying `marker` is already on the record (journal entries live in `sys_journal_field`). An
   * integration user without read access there (403) cannot tell: the note is written (at least once, never lost).
   */
  async #noted(record: ServiceNowRecord, marker: string): Promise<boolean> {
    const key = marker.slice(1, -1); // netwatch:<key>, without the brackets an encoded query cannot carry
    try {
      const entries = await this.#client.list('sys_journal_field', {
        query: `element_id=${queryValue(String(record['sys_id']))}^element=work_notes^valueLIKE${queryValue(key)}`,
        fields: ['sys_id'],
        limit: 1,
      });
      return entries.length > 0;
    } catch (error) {
      if (statusOf(error) === 403) return false;
      throw error;
    }
  }
}

export function createServiceNowSink(name: string, settings: ServiceNowSettings, deps: SinkDeps): ServiceNowSink {
  return new ServiceNowSink(name, settings, deps);
}
