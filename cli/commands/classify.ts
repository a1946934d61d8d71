import { atLeast } from '../../shared/model/severity.ts';
import { classifyWithRules } from '../classify-run.ts';
import {
  contextOption,
  ENRICH_HELP,
  ENRICH_OPTIONS,
  enrichOption,
  limitsOption,
  stateLookupOption,
} from '../enrich-options.ts';
import { bySeverityThenTime, findingRecord } from '../format.ts';
import { EXIT, writeLines, type Command } from './command.ts';
import { outputFormat, reportErrors, severityOption, writeStats, writeTable } from './output.ts';
import { STATE_HELP, stateOption } from './state-option.ts';

/** `netwatch classify`: findings of the inputs, JSON Lines or a table. */
export const classifyCommand: Command = {
  help: `Usage: netwatch classify [options] [FILE|DIR|-]...

Classify change events and print one finding per line.
With no input, reads standard input. Directories are walked (.json, .jsonl, .ndjson, .gz).

Options:
  --format jsonl|table   output format (default: jsonl when stdout is not a terminal, else table)
  --min-severity LEVEL   print only findings at LEVEL or above (info|low|medium|high|critical; default info)
  --stats                print record counts and throughput on stderr at the end
${ENRICH_HELP}
  --full-parse           JSON-parse every record (no pre-scan; a syntax error in a record no rule reads is then
                         reported instead of counted as ignored)
${STATE_HELP}
  -h, --help             this help

Each JSON line holds ruleId, severity, category, title, summary, resource {type, id, account, region},
actor, source, changeId, fingerprint, why and evidence (and episode, for exposures with kept state).`,
  options: {
    format: { type: 'string' },
    'min-severity': { type: 'string', default: 'info' },
    stats: { type: 'boolean', default: false },
    ...ENRICH_OPTIONS,
    'full-parse': { type: 'boolean', default: false },
    state: { type: 'string', default: 'memory' },
  },
  async run(values, inputs) {
    const format = outputFormat(values['format']);
    const min = severityOption(values['min-severity']);
    const state = stateOption(values['state'], ['memory', 'off']);
    const lookup = await stateLookupOption(values);
    const run = await classifyWithRules(
      inputs.length ? inputs : ['-'],
      await contextOption(values['context']),
      await enrichOption(values),
      {
        fast: !values['full-parse'],
        limits: limitsOption(values),
        state: state === 'off' ? 'off' : 'kept',
        ...(lookup ? { lookup } : {}),
      },
    );
    const findings = run.findings.filter((f) => atLeast(f.severity, min));
    if (format === 'table') writeTable(findings.sort(bySeverityThenTime));
    else writeLines(findings.map((f) => JSON.stringify(findingRecord(f))));
    reportErrors(run);
    if (values['stats']) writeStats(run);
    return run.errors.length ? EXIT.malformed : EXIT.ok;
  },
};
