import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { CATEGORIES } from '../../shared/model/category.ts';
import { actorFields, resourceRefFields } from '../../shared/model/fields.ts';
import type { NetworkDelta } from '../../shared/model/change.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { SEVERITIES } from '../../shared/model/severity.ts';
import { MalformedInputError } from '../../shared/platform/errors.ts';

/**
 * Findings as `netwatch classify --format jsonl` prints them (resource carries account and region), read back for
 * `netwatch route --findings FILE`: route a saved classification without re-reading the events. Evidence is checked
 * for shape (`kind`, `op`) only; routing does not read it.
 */
const findingRecordSchema = z.object({
  fingerprint: z.string().min(1),
  ruleId: z.string().min(1),
  title: z.string(),
  summary: z.string(),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  resource: z.object({ ...resourceRefFields(), account: z.string(), region: z.string() }),
  actor: z.object(actorFields()).nullish(),
  api: z.object({ source: z.string(), name: z.string() }).nullish(),
  at: z.string(),
  source: z.enum(['cloudtrail', 'config']),
  changeId: z.string(),
  why: z.array(z.string()),
  evidence: z.array(z.looseObject({ kind: z.string(), op: z.string() })),
  related: z.array(z.string()).optional(),
});

/** Parse JSON Lines of finding records; every bad line is an error with file:line. */
export function parseFindingLines(text: string, file: string): { findings: Finding[]; errors: MalformedInputError[] } {
  const findings: Finding[] = [];
  const errors: MalformedInputError[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = { file, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push(new MalformedInputError('not valid JSON', where));
      return;
    }
    const parsed = findingRecordSchema.safeParse(value);
    if (!parsed.success) {
      errors.push(
        new MalformedInputError(
          `not a finding record: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ')}`,
          where,
        ),
      );
      return;
    }
    const { resource, actor, api, evidence, related, ...rest } = parsed.data;
    const { account, region, ...ref } = resource;
    const finding: Finding = {
      ...rest,
      resource: ref,
      account,
      region,
      evidence: evidence as unknown as NetworkDelta[],
    };
    if (actor) finding.actor = actor;
    if (api) finding.api = api;
    if (related) finding.related = related;
    findings.push(finding);
  });
  return { findings, errors };
}

/** Read finding records from a file or `-` (stdin). */
export async function readFindingFile(file: string): Promise<{ findings: Finding[]; errors: MalformedInputError[] }> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (cause) {
    return { findings: [], errors: [new MalformedInputError(`cannot read: ${(cause as Error).message}`, { file })] };
  }
  return parseFindingLines(text, file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
