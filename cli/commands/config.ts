import { readFile } from 'node:fs/promises';
import { parseConfigText, validateConfig } from '../../shared/config/load.ts';
import { EXIT, UsageError, type Command } from './command.ts';
import { count } from '../../shared/platform/plural.ts';

/**
 * `netwatch config FILE [--json]`: validate a config file (YAML or JSON) the way the functions will at cold start, and
 * print a summary — or, with `--json`, the file as JSON, which is what the Lambda functions read (they carry no YAML
 * parser). A bad config lists every problem and exits 64.
 */
export const configCommand: Command = {
  help: `Usage: netwatch config FILE [--json]

Validate a Netwatch config file (netwatch.config.yml or .json): every problem is listed with its path.
The Lambda functions read JSON (NETWATCH_CONFIG_PATH / NETWATCH_CONFIG_PARAMETER): --json prints the
config as JSON, e.g. for  aws ssm put-parameter --name /netwatch/prod/config --type String --value file://config.json

Options:
  --json         print the config file as JSON instead of a summary
  -h, --help     this help

Exit codes: 0 valid; 64 invalid (every problem listed) or usage error.`,
  options: { json: { type: 'boolean', default: false } },
  async run(values, inputs) {
    const [file, ...extra] = inputs;
    if (file === undefined || extra.length > 0) throw new UsageError('give exactly one config file');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const raw = parseConfigText(text, file);
    const config = validateConfig(raw, file);
    if (values['json']) {
      process.stdout.write(`${JSON.stringify(raw, null, 2)}\n`);
      return EXIT.ok;
    }
    const paging = config.routes.filter((r) => r.kind === 'paging').map((r) => r.name);
    process.stdout.write(
      `${file}: valid — ${count(Object.keys(config.sinks).length, 'sink')} (${Object.entries(config.sinks)
        .map(([n, s]) => `${n}: ${s.type}`)
        .join(', ')}), ` +
        `${count(config.routes.length, 'route')} (${paging.length} paging: ${paging.join(', ') || 'none'}), ${count(config.approvals.static.length, 'static approval')}, ` +
        `${count(config.allowlists.length, 'allowlist')}, dedup ${config.dedup.windowHours} h, grouping ${config.grouping.windowMinutes} min\n`,
    );
    return EXIT.ok;
  },
};
