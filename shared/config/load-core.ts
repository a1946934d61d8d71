import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../platform/errors.ts';
import { count } from '../platform/plural.ts';
import { configSchema, crossCheckProblems, type NetwatchConfig } from './schema.ts';
import { plaintextSecretProblems } from './secrets.ts';

/** Parses YAML text into a plain value (throwing ConfigError on syntax errors); injected so JSON-only runtimes skip it. */
export type YamlParser = (text: string, file: string) => unknown;

/**
 * Reading and validating the config. Whatever is wrong — YAML syntax, unknown keys, bad values, routes naming missing
 * sinks, plaintext secrets — is reported at once as one {@link ConfigError} listing every problem as `path: message`,
 * so a deploy fails at start with the whole list instead of one problem per attempt.
 */

/** `['routes', 2, 'sinks', 0]` → `routes[2].sinks[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_$][\w$-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out || '(top level)';
}

/** One problem line per zod issue. */
export function issueProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    // Schemas owned elsewhere (sink kinds) use zod's default wording; say it the same way as ours.
    const message =
      issue.code === 'unrecognized_keys' && issue.message.startsWith('Unrecognized key')
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : issue.message;
    return `${formatPath(issue.path)}: ${message}`;
  });
}

/**
 * Parse YAML or JSON text. JSON is YAML, but JSON files get JSON's error messages. Without a {@link YamlParser} only
 * JSON is read: the Lambda functions take JSON (the deploy stack writes the config to SSM as JSON), which keeps the
 * YAML library (≈110 KB minified) out of their bundles; `netwatch config FILE --json` converts a YAML config.
 */
export function parseConfigText(text: string, file: string, yaml?: YamlParser): unknown {
  const json = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*\{/.test(text));
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ConfigError(`${file} is not valid JSON`, [(cause as Error).message], { file });
    }
  }
  if (!yaml) {
    throw new ConfigError(
      `${file} is YAML; this runtime reads JSON config`,
      ['store the config as JSON: `npx netwatch config FILE.yml --json` prints it'],
      { file },
    );
  }
  return yaml(text, file);
}

/** Validate an already-parsed value; `file` names it in the error. */
export function validateConfig(value: unknown, file: string): NetwatchConfig {
  const result = configSchema.safeParse(value);
  const top = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const approvals = top['approvals'];
  const sync =
    typeof approvals === 'object' && approvals !== null ? (approvals as Record<string, unknown>)['sync'] : undefined;
  const problems = [
    ...(result.success ? [] : issueProblems(result.error.issues)),
    ...crossCheckProblems(value),
    ...plaintextSecretProblems(top['sinks'], 'sinks'),
    // The approvals sync's change-system credentials get the same protection as the sinks'.
    ...plaintextSecretProblems(sync, 'approvals.sync'),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(`${file}: invalid Netwatch config (${count(problems.length, 'problem')})`, problems, {
      file,
    });
  }
  return result.data;
}

/** Parse + validate config text (a file's content, or an SSM parameter's value). */
export function loadConfigText(text: string, file: string, yaml?: YamlParser): NetwatchConfig {
  return validateConfig(parseConfigText(text, file, yaml), file);
}

/** Read, parse and validate a config file. */
export async function loadConfigFile(path: string, yaml?: YamlParser): Promise<NetwatchConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config ${path}`, [(cause as Error).message], { file: path });
  }
  return loadConfigText(text, path.includes('/') ? path : basename(path), yaml);
}
