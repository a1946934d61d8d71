import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.ts';

/**
 * The command users run: package.json `bin`, i.e. the compiled dist/netwatch.js that `npm ci` builds (`prepare`).
 * The test run's global setup (test/support/build-cli.ts) builds it again from the sources under test, so a test
 * never runs a stale build.
 */
export const NETWATCH_BIN = join(
  REPO_ROOT,
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: { netwatch: string } }).bin.netwatch,
);

/** What a run of the command printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a run: standard input, variables to remove from this process's environment (`unset`), extra ones. */
export interface CliOptions {
  input?: string;
  env?: Record<string, string>;
  unset?: readonly string[];
  cwd?: string;
}

function environment(extra: Record<string, string> = {}, unset: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const name of unset) delete env[name];
  return { ...env, ...extra };
}

/**
 * A machine with no AWS set up: no region, no credentials, no profile files, no instance metadata (so the SDK's
 * credential chain gives up at once), and the SDK's Node-version warning not silenced by the caller (the command
 * must silence it itself). Pass as `{ unset: NO_AWS.unset, env: NO_AWS.env }`.
 */
export const NO_AWS = {
  unset: [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ],
  env: {
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  },
} as const;

/** Run `node dist/netwatch.js ARGS…` in the repository, as a user would, and wait for it. */
export function netwatch(args: readonly string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [NETWATCH_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    env: environment(options.env, options.unset),
    timeout: 60_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same without blocking this process: for tests whose emulators (dynalite, fauxqs, HTTP receivers) run in it and
 * must keep answering while the command runs.
 */
export function netwatchAsync(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NETWATCH_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: environment(options.env, options.unset),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
