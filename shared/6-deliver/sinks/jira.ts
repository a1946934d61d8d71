import * as z from 'zod';
import type { SecretRef } from '../../platform/aws/secrets.ts';
import { DeliveryError } from '../../platform/errors.ts';
import type { DigestNotice, Notice } from '../../model/notice.ts';
import type { Severity } from '../../model/severity.ts';
import { JiraClient, jiraConnectionFields, type JiraIssue, jiraSecretRefs, jqlString } from '../change-systems/jira.ts';
import type { SinkDeps } from './deps.ts';
import { digestSeverity, noticeKey } from './format/digest.ts';
import { adfDocument, isClose, jiraWikiText, ticketBody, ticketKey, ticketNote, ticketTitle } from './format/ticket.ts';
import type { Sink } from './sink.ts';

/**
 * Jira sink (Cloud REST v3 / Data Center REST v2): one issue per exposure episode (per finding outside episodes),
 * labelled `netwatch-<episode id | fingerprint>`. Before creating, the sink searches for its own earlier issue by
 * that label, so a retry or a redelivery never opens a second one; a later change of the episode or a traffic
 * follow-up becomes a comment (once: each carries the notice's marker, looked for among the comments first); the close
 * of the exposure comments and transitions the issue to a done status.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-post
 */

/** Jira's default priority scheme. */
export const DEFAULT_JIRA_PRIORITIES: Readonly<Record<Severity, string>> = {
  critical: 'Highest',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Lowest',
};

/** A Jira label: no spaces (Jira splits on them), at most 255 characters. */
const labelSchema = z.string().regex(/^[^\s]{1,255}$/, 'a Jira label (no spaces)');

export const jiraSettingsSchema = z.strictObject({
  type: z.literal('jira'),
  ...jiraConnectionFields,
  /** Project key (`NET`). */
  project: z.string().regex(/^[A-Z][A-Z0-9_]{0,254}$/, 'a Jira project key (upper-case letters, digits, _)'),
  issueType: z.string().min(1).max(255).default('Task'),
  /** Priority name per severity (default Highest / High / Medium / Low / Lowest); `false` leaves priority unset. */
  priorities: z
    .union([
      z.literal(false),
      z.partialRecord(z.enum(['critical', 'high', 'medium', 'low', 'info']), z.string().min(1)),
    ])
    .default({}),
  /** Labels added to every issue (besides `netwatch` and `netwatch-<key>`). */
  labels: z.array(labelSchema).default([]),
  /** Transition names tried, in order, when the exposure closes; else any transition to a done status. */
  closeTransitions: z.array(z.string().min(1)).min(1).default(['Done', 'Resolve Issue', 'Resolved', 'Close Issue']),
  /** More fields set on create, as Jira's REST API takes them (`components: [{name: Network}]`, `customfield_…`). */
  fields: z
    .record(z.string().regex(/^[A-Za-z][\w]{0,99}$/, 'a Jira field id'), z.json())
    .default({})
    .superRefine((fields, ctx) => {
      for (const name of Object.keys(fields))
        if (['project', 'issuetype', 'summary', 'description', 'labels', 'priority'].includes(name))
          ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by Netwatch` });
    }),
  /** Largest description / comment (bytes; Jira's limit is 32,767 characters). */
  maxBytes: z.number().int().min(4096).max(32_000).default(30_000),
});

export type JiraSettings = z.output<typeof jiraSettingsSchema>;

/** The label that finds a notice's issue again. */
export function jiraLabel(notice: Notice | DigestNotice): string {
  return `netwatch-${ticketKey(notice)}`;
}

export class JiraSink implements Sink {
  readonly kind = 'jira';
  readonly resolvesEpisodes = true;
  readonly #client: JiraClient;

  constructor(
    readonly name: string,
    private readonly settings: JiraSettings,
    deps: Pick<SinkDeps, 'secrets' | 'fetch' | 'now' | 'clock'>,
  ) {
    this.#client = new JiraClient(name, settings, deps);
  }

  get secretRefs(): SecretRef[] {
    return jiraSecretRefs(this.settings.auth);
  }

  /** Text in this API's body format: ADF (Cloud) or escaped wiki markup (Data Center). */
  #body(lines: readonly string[]): unknown {
    return this.settings.api === 'cloud' ? adfDocument(lines) : jiraWikiText(lines.join('\n'));
  }

  /** Whether a body (ADF as JSON text, or wiki text) carries the notice's marker (raw or wiki-escaped). */
  static mentions(text: string, notice: Notice | DigestNotice): boolean {
    const key = noticeKey(notice);
    return text.includes(`netwatch:${key}`) || text.includes(`netwatch:${jiraWikiText(key)}`);
  }

  async deliver(notice: Notice | DigestNotice): Promise<void> {
    const label = jiraLabel(notice);
    const [issue] = await this.#client.search(
      `project = ${jqlString(this.settings.project)} AND labels = ${jqlString(label)} ORDER BY created ASC`,
      ['status', 'description', 'labels'],
      1,
    );
    if (isClose(notice)) {
      if (issue === undefined) return;
      await this.#noteOnce(issue, notice);
      await this.#close(issue);
      return;
    }
    if (issue === undefined) {
      await this.#client.createIssue(this.#createFields(notice, label));
      return;
    }
    await this.#noteOnce(issue, notice);
  }

  #createFields(notice: Notice | DigestNotice, label: string): Record<string, unknown> {
    const severity = notice.kind === 'finding' ? notice.finding.severity : digestSeverity(notice);
    const priority =
      this.settings.priorities === false
        ? undefined
        : (this.settings.priorities[severity] ?? DEFAULT_JIRA_PRIORITIES[severity]);
    return {
      ...this.settings.fields,
      project: { key: this.settings.project },
      issuetype: { name: this.settings.issueType },
      // Summary is plain text in both APIs (no markup is rendered there), one line of at most 255 characters.
      summary: ticketTitle(notice, 255),
      description: this.#body(ticketBody(notice, this.settings.maxBytes)),
      labels: [...new Set([...this.settings.labels, 'netwatch', label])],
      ...(priority !== undefined ? { priority: { name: priority } } : {}),
    };
  }

  /** A comment for the notice, unless the issue's description or a comment already carries its marker. */
  async #noteOnce(issue: JiraIssue, notice: Notice | DigestNotice): Promise<void> {
    if (JiraSink.mentions(JSON.stringify(issue.fields['description'] ?? ''), notice)) return;
    const comments = await this.#client.commentBodies(issue.key);
    if (comments.some((c) => JiraSink.mentions(c, notice))) return;
    await this.#client.addComment(issue.key, this.#body(ticketNote(notice, this.settings.maxBytes)));
  }

  /** Transition to done, unless it is there already. */
  async #close(issue: JiraIssue): Promise<void> {
    const status = issue.fields['status'] as { statusCategory?: { key?: unknown } } | undefined;
    if (status?.statusCategory?.key === 'done') return;
    const transitions = await this.#client.transitions(issue.key);
    const wanted = this.settings.closeTransitions.map((n) => n.toLowerCase());
    const byName = wanted.map((n) => transitions.find((t) => t.name.toLowerCase() === n)).find((t) => t !== undefined);
    const chosen = byName ?? transitions.find((t) => t.toCategory === 'done');
    if (chosen === undefined)
      throw new DeliveryError(
        this.name,
        `issue ${issue.key}: no transition to a done status (offered: ${transitions.map((t) => t.name).join(', ') || 'none'}); set closeTransitions`,
        { retryable: false },
      );
    await this.#client.transition(issue.key, chosen.id);
  }
}

export function createJiraSink(name: string, settings: JiraSettings, deps: SinkDeps): JiraSink {
  return new JiraSink(name, settings, deps);
}
