import { parseDocument } from 'yaml';
import { ConfigError } from '../platform/errors.ts';
import * as core from './load-core.ts';
import type { NetwatchConfig } from './schema.ts';

/**
 * Config loading with YAML (the CLI and tests). The Lambda functions use {@link core} directly, JSON only, so the YAML
 * library stays out of their bundles.
 */
export { formatPath, issueProblems, validateConfig } from './load-core.ts';

/** YAML with duplicate keys refused and every syntax error listed by line and column. */
export function parseYamlConfig(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      `${file} is not valid YAML`,
      doc.errors.map(
        (e) => `line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`,
      ),
      { file },
    );
  }
  return doc.toJS() as unknown;
}

/** Parse YAML or JSON text. */
export function parseConfigText(text: string, file: string): unknown {
  return core.parseConfigText(text, file, parseYamlConfig);
}

/** Parse + validate config text (YAML or JSON). */
export function loadConfigText(text: string, file: string): NetwatchConfig {
  return core.loadConfigText(text, file, parseYamlConfig);
}

/** Read, parse and validate a config file (YAML or JSON). */
export function loadConfigFile(path: string): Promise<NetwatchConfig> {
  return core.loadConfigFile(path, parseYamlConfig);
}
