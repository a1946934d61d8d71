import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NETWATCH_BIN } from '../support/cli.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * `netwatch classify … | head` (found while writing docs/getting-started.md): the reader closes the pipe after one
 * line and the next write fails with EPIPE. That was an unhandled 'error' event: a stack trace and exit 1.
 */
function runAndCloseAfterFirstLine(args: string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NETWATCH_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (first !== '') return;
      first = chunk.toString('utf8').split('\n')[0] ?? '';
      child.stdout.destroy(); // what `head -1` does once it has its line
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

describe('a reader that stops early', () => {
  it('classify ends quietly with exit 0', async () => {
    // Act
    const { code, stderr, first } = await runAndCloseAfterFirstLine(['classify', 'events']);
    // Assess
    expect(JSON.parse(first)).toHaveProperty('ruleId');
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('replay keeps delivering after its table has no reader', async () => {
    // Prepare
    const out = mkdtempSync(join(tmpdir(), 'netwatch-pipe-'));
    // Act
    const { code, stderr } = await runAndCloseAfterFirstLine(['replay', '--out', out, 'events']);
    // Assess: every change reached change management, as with a reader.
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
    const changes = join(out, 'changes.jsonl');
    expect(existsSync(changes)).toBe(true);
    const delivered = Number(/change-log: (\d+) delivered/.exec(stderr)?.[1]);
    expect(delivered).toBeGreaterThan(100);
    expect(readFileSync(changes, 'utf8').trim().split('\n')).toHaveLength(delivered);
  });
});
