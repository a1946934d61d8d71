import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Adding a rule touches its file and rules/index.ts only (issue 13): a rule carries its metadata, its classifier, its
 * cases, its runbook text (`whatToCheck`) and its own severity adjustment (`adjust`), and everything that needs a
 * rule — the pipeline, the adjust step, the pages' "what to check", the rule catalogue, the deploy patterns — reads
 * them from `RULES`. This test proves it the direct way: it copies the tree, writes one new rule file, adds it to
 * rules/index.ts, and checks that the copy type-checks and that the new rule fires through the whole pipeline, with
 * its runbook on the page, its adjustment applied and its section in the catalogue. Only the generated files
 * (docs/rules.md, deploy/event-patterns.json) then need `npm run generate:docs` / `generate:deploy`. A rule in a new
 * category also adds the category to shared/model/category.ts: categories are a closed list users route on.
 */

const ID = 'throwaway-telnet';

/** The new rule, written the way a contributor would: one file, importing only the model and the case builders. */
const RULE_FILE = `import type { ChangeEvent } from '../shared/model/change.ts';
import type { FindingDraft } from '../shared/model/finding.ts';
import type { Rule, RuleCase } from '../shared/model/rule.ts';
import { cidr, ec2, perm, sgChange, sgDelta } from './cases/build.ts';

function classify(change: ChangeEvent): FindingDraft[] {
  return change.deltas
    .filter((d) => d.kind === 'sg-permission' && d.op === 'added' && d.permission.direction === 'ingress')
    .filter((d) => d.kind === 'sg-permission' && (d.permission.fromPort ?? 0) <= 23 && 23 <= (d.permission.toPort ?? 65535))
    .map((d) => ({ severity: 'high', summary: 'telnet (tcp/23) opened', evidence: [d], why: ['telnet is cleartext'] }));
}

export const whatToCheck = 'Which instance listens on tcp/23, and why? Replace telnet with SSH or SSM Session Manager and revoke the rule.';

export const rule: Rule = {
  id: '${ID}',
  title: 'Telnet opened on a security group',
  description:
    'A security group now accepts telnet (tcp/23). Telnet sends credentials in clear text and has no place on a ' +
    'network a bank runs; the rule exists only to prove that a rule is self-contained.',
  whatToCheck,
  category: 'sg-widened',
  deltaKinds: ['sg-permission'],
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  apiCalls: [{ source: 'ec2.amazonaws.com', names: ['AuthorizeSecurityGroupIngress'] }],
  classify,
  adjust: () => ({ steps: 0, why: 'context: the throwaway rule adjusted this finding' }),
};

export function cases(): RuleCase[] {
  return [
    {
      name: 'telnet from anywhere',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 23, cidr('0.0.0.0/0')))], { api: ec2('AuthorizeSecurityGroupIngress') }),
      expect: 'high',
    },
    {
      name: 'ssh only',
      change: sgChange([sgDelta('added', perm('ingress', 'tcp', 22, cidr('10.0.0.0/8')))], { api: ec2('AuthorizeSecurityGroupIngress') }),
      expect: null,
    },
  ];
}
`;

/** What the copy answers about the new rule, run in the copy (its own modules, its own RULES). */
const CHECK_FILE = `import { readFileSync } from 'node:fs';
import { RULE_CASES, RULES } from './rules/index.ts';
import { classifyValue } from './shared/4-classify/classify.ts';
import { evaluate } from './shared/4-classify/evaluate.ts';
import { EMPTY_CONTEXT } from './shared/model/rule.ts';
import { whatToCheck } from './shared/6-deliver/sinks/format/what-to-check.ts';
import { renderRuleCatalogue } from './scripts/rule-catalogue.ts';
import { eventPatterns } from './deploy/event-patterns.ts';

const rule = RULES.find((r) => r.id === '${ID}')!;
const cases = (RULE_CASES.get('${ID}') ?? (() => []))().map((c) => ({
  expect: c.expect,
  got: evaluate(c.change, [rule], EMPTY_CONTEXT).findings.map((f) => f.severity),
}));
const record = JSON.parse(
  readFileSync(process.argv[2]!, 'utf8').replaceAll('"fromPort": 22', '"fromPort": 23').replaceAll('"toPort": 22', '"toPort": 23'),
);
const found = classifyValue(record, { file: 'telnet.json' }, { rules: RULES, context: EMPTY_CONTEXT }).findings.filter(
  (f) => f.ruleId === '${ID}',
);
console.log(
  JSON.stringify({
    ids: RULES.map((r) => r.id),
    cases,
    findings: found.map((f) => ({ severity: f.severity, category: f.category, why: f.why })),
    runbook: whatToCheck({ ruleId: '${ID}' }),
    catalogue: renderRuleCatalogue(RULES, (id) => RULE_CASES.get(id)?.() ?? []).includes('## ${ID}'),
    patterns: JSON.stringify(eventPatterns(RULES)).includes('AuthorizeSecurityGroupIngress'),
  }),
);
`;

let copy = '';

/** Files under `dir` (relative), recursively. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'netwatch-new-rule-'));
  for (const dir of ['rules', 'shared', 'deploy', 'scripts', 'cli'])
    cpSync(join(REPO_ROOT, dir), join(copy, dir), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(copy, 'tsconfig.json'),
    JSON.stringify({ ...tsconfig, include: ['rules', 'shared', 'deploy', 'scripts', 'cli'] }),
  );

  // The contributor's change: the rule's file, and its import and entries (RULES, RULE_CASES, RUNBOOKS) in rules/index.ts.
  writeFileSync(join(copy, 'rules', `${ID}.ts`), RULE_FILE);
  const index = join(copy, 'rules', 'index.ts');
  const text = readFileSync(index, 'utf8')
    .replace(
      "import type { Rule, RuleCase } from '../shared/model/rule.ts';\n",
      `$&import { cases as throwawayCases, rule as throwaway, whatToCheck as throwawayCheck } from './${ID}.ts';\n`,
    )
    .replace('export const RULES: readonly Rule[] = [\n', '$&  throwaway,\n')
    .replace(
      'RULE_CASES: ReadonlyMap<string, () => RuleCase[]> = /* @__PURE__ */ new Map([\n',
      `$&  ['${ID}', throwawayCases],\n`,
    )
    .replace('RUNBOOKS: ReadonlyMap<string, string> = /* @__PURE__ */ new Map([\n', `$&  ['${ID}', throwawayCheck],\n`);
  writeFileSync(index, text);
  writeFileSync(join(copy, 'check.ts'), CHECK_FILE);
}, 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('a new rule is its file plus its line in rules/index.ts', () => {
  it('the copy differs from the tree only in those two files', () => {
    const changed: string[] = [];
    for (const dir of ['rules', 'shared', 'deploy', 'scripts', 'cli']) {
      const ours = new Set(filesOf(join(REPO_ROOT, dir)));
      for (const file of filesOf(join(copy, dir))) {
        const path = join(dir, file);
        if (!ours.has(file) || readFileSync(join(copy, path), 'utf8') !== readFileSync(join(REPO_ROOT, path), 'utf8'))
          changed.push(path);
      }
    }
    expect(changed).toEqual(['rules/index.ts', `rules/${ID}.ts`]);
  });

  it('the copy type-checks (no list keyed by rule elsewhere wants the new one)', () => {
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '--noEmit', '-p', copy], { encoding: 'utf8' })).not.toThrow();
  }, 120_000);

  it('fires through the pipeline, with its runbook on the page, its own adjustment and its catalogue section', () => {
    const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const sample = join(REPO_ROOT, 'events', 'cloudtrail', 'authorize-sg-ingress-ssh-world.json');
    const out = JSON.parse(
      execFileSync(process.execPath, [tsx, join(copy, 'check.ts'), sample], { cwd: copy, encoding: 'utf8' }),
    ) as {
      ids: string[];
      cases: { expect: string | null; got: string[] }[];
      findings: { severity: string; category: string; why: string[] }[];
      runbook: string;
      catalogue: boolean;
      patterns: boolean;
    };
    expect(out.ids).toContain(ID);
    expect(out.cases).toEqual([
      { expect: 'high', got: ['high'] },
      { expect: null, got: [] },
    ]);
    expect(out.findings).toEqual([
      expect.objectContaining({
        severity: 'high',
        category: 'sg-widened',
        why: expect.arrayContaining(['context: the throwaway rule adjusted this finding']),
      }),
    ]);
    expect(out.runbook).toMatch(/^Which instance listens on tcp\/23/);
    expect(out.catalogue).toBe(true);
    expect(out.patterns).toBe(true);
  }, 60_000);
});
