/**
 * The rule catalogue, docs/rules.md, rendered from the rules themselves (`RULES` and each rule's `cases()`), so it
 * cannot drift from what runs: `npm run generate:docs` writes it and test/rules/catalogue.test.ts fails while the
 * committed file differs from this rendering.
 */
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { SEVERITIES, type Severity } from '../shared/model/severity.ts';

/** Markdown table cells: a `|` would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The severities a rule's cases expect, highest first, each with the cases that give it. */
function severities(cases: readonly RuleCase[]): { severity: Severity | null; names: string[] }[] {
  const order: (Severity | null)[] = [...[...SEVERITIES].reverse(), null];
  return order
    .map((severity) => ({ severity, names: cases.filter((c) => c.expect === severity).map((c) => c.name) }))
    .filter((s) => s.names.length > 0);
}

function ruleSection(rule: Rule, cases: readonly RuleCase[]): string {
  const lines = [
    `## ${rule.id}`,
    '',
    `**${rule.title}** — category \`${rule.category}\`, reads ${rule.deltaKinds.map((k) => `\`${k}\``).join(', ')} deltas · [rules/${rule.id}.ts](../rules/${rule.id}.ts)`,
    '',
    rule.description,
    '',
    `**What to check first** (on the page, email and Slack): ${rule.whatToCheck}`,
    '',
    ...(rule.adjust
      ? [
          `**Adjusts its own severity** from the change's context (\`adjust\` in [rules/${rule.id}.ts](../rules/${rule.id}.ts)), after the actor adjustments.`,
          '',
        ]
      : []),
    "**Fires at** (the rule's own cases, `cases()` in its file — each one is a test):",
    '',
  ];
  for (const { severity, names } of severities(cases))
    lines.push(`- ${severity ?? 'does not fire'}: ${names.map((n) => cell(n)).join('; ')}`);
  lines.push('', '**CloudTrail API calls** (the EventBridge pattern is generated from these):', '');
  if (rule.apiCalls.length === 0) lines.push('- none');
  for (const call of rule.apiCalls) lines.push(`- \`${call.source}\`: ${call.names.join(', ')}`);
  lines.push('', '**AWS Config resource types:**', '');
  lines.push(rule.resourceTypes.length === 0 ? '- none' : `- ${rule.resourceTypes.map((t) => `\`${t}\``).join(', ')}`);
  return lines.join('\n');
}

/** docs/rules.md for these rules; `casesOf(id)` gives a rule's cases. */
export function renderRuleCatalogue(rules: readonly Rule[], casesOf: (id: string) => readonly RuleCase[]): string {
  const head = [
    '# Rule catalogue',
    '',
    '<!-- Generated from RULES (rules/index.ts) by `npm run generate:docs`: do not edit by hand.',
    '     test/rules/catalogue.test.ts fails while this file is stale. -->',
    '',
    `Netwatch grades every normalized change with ${rules.length} rules, one file each in \`rules/\`. A finding of medium`,
    'or above pages (unless an approval covers it); every finding goes to change management. Severities below are what',
    "each rule's own cases expect before the estate context adjusts them ([findings.md: Context-aware severity](findings.md#context-aware-severity)).",
    '',
    '| rule | title | category | severities | API calls | Config resource types |',
    '|---|---|---|---|---|---|',
  ];
  for (const rule of rules) {
    const fired = severities(casesOf(rule.id))
      .map((s) => s.severity)
      .filter((s): s is Severity => s !== null);
    const calls = rule.apiCalls.reduce((n, c) => n + c.names.length, 0);
    head.push(
      `| [${rule.id}](#${rule.id}) | ${cell(rule.title)} | \`${rule.category}\` | ${fired.join(', ') || '—'} | ${calls} | ${rule.resourceTypes.length} |`,
    );
  }
  return `${[head.join('\n'), ...rules.map((r) => ruleSection(r, casesOf(r.id)))].join('\n\n')}\n`;
}
