/**
 * The deploy-parameter reference, rendered from the one parameter table (deploy/stack/params.ts `PARAMS`):
 * docs/parameters.md, and the flow-log parameters' table inside docs/flow-logs.md. `npm run generate:docs` writes
 * both; test/deploy/params.test.ts fails while either differs from this rendering.
 */
import { PARAM_SPECS, type ParamSpec, SECTIONS, type Section } from '../deploy/stack/params.ts';

/** Markdown table cells: a `|` would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The table of one section's parameters. */
export function parameterTable(section: Section): string {
  const rows = PARAM_SPECS.filter(({ spec }) => spec.section === section).map(
    ({ name, spec }: { name: string; spec: ParamSpec }) =>
      `| \`${name}\` | ${spec.shown} | ${cell(spec.accepts)} | ${cell(spec.doc)} |`,
  );
  return ['| parameter | default | accepts | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** docs/parameters.md. */
export function renderParameterDocs(): string {
  const head = `# Deploy parameters

<!-- Generated from deploy/stack/params.ts (PARAMS) by \`npm run generate:docs\`: do not edit by hand.
     test/deploy/params.test.ts fails while this file is stale. -->

Every \`serverless deploy\` / \`serverless package\` takes these as \`--param="name=value"\` (lists comma-separated).
A stage can carry its own values under \`params.<stage>\` in \`serverless.yml\` (the \`ci\` stage holds the example values
CI packages); \`--param\` wins over those, and those over the defaults below (\`params.default\`, generated). A missing
or malformed parameter stops the command before anything is built, every problem listed on one line with the
\`--param\` that fixes it, e.g. \`missing param configTopicArn: set --param=configTopicArn=arn:aws:sns:<region>:<account>:<topic> … or --param=createConfigTopic=true …\`.

One definition per parameter: \`PARAMS\` in [deploy/stack/params.ts](../deploy/stack/params.ts) gives its type (the
stack builder's \`StackParams\`), its check and its message, its default in \`serverless.yml\` and its row here.

## Adding a parameter

1. Add one entry to \`PARAMS\` in deploy/stack/params.ts, in the section where it belongs: \`name: kind(…)\` —
   \`list(pattern, example, …)\`, \`optional(pattern, example, …)\`, \`bool(…)\`, \`int(default, min, max, …)\`,
   \`oneOf(values, default, …)\`, \`text(default, check, …)\` — with \`section\`, \`doc\` (the sentence in the table
   below) and, where the kind needs it, \`accepts\`.
2. When it needs another parameter (a mode that needs a name, an ARN), add a check to \`REQUIRES\` under the parameter
   that switches it on; problems are reported in \`PARAMS\` order, each parameter's own first, then what it requires.
3. \`npm run generate:deploy && npm run generate:docs\` (serverless.yml's \`params.default\` and \`custom.netwatch\`,
   this page, the flow-log table in docs/flow-logs.md), then read it where the stack builder needs it
   (\`params.name\`, typed).

Nothing else lists parameters; test/deploy/params.test.ts fails while a generated file is stale.`;
  const sections = (Object.entries(SECTIONS) as [Section, string][]).map(
    ([section, title]) => `## ${title}\n\n${parameterTable(section)}`,
  );
  return `${[head, ...sections].join('\n\n')}\n`;
}

const BEGIN = '<!-- BEGIN generated: the flow-log parameters (deploy/stack/params.ts, npm run generate:docs) -->';
const END = '<!-- END generated -->';

/** docs/flow-logs.md with its parameter table rewritten between the BEGIN and END lines. */
export function renderFlowLogDocs(text: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error(`docs/flow-logs.md: no "${BEGIN}" … "${END}" block`);
  return `${text.slice(0, start)}${BEGIN}\n${parameterTable('flowLogs')}\n${text.slice(end)}`;
}
