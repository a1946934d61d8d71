import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellBlocks } from '../support/markdown.ts';

/** The README is a front door: short, with the two commands .ci/run relies on, a picture, and the way into docs/. */
const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

describe('README.md', () => {
  it('is at most 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('gives the two commands, and .ci/run runs the test command it gives', () => {
    // Prepare
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    // Act
    const first = shellBlocks(readme)[0]?.code ?? '';
    // Assess
    expect(first).toMatch(/^npm ci && npm start\b/m);
    expect(first).toMatch(/^npm ci && npm test\b/m);
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test\b/m);
  });

  it('shows the architecture diagram and links the getting-started guide', () => {
    expect(readme).toContain('](docs/images/architecture.svg)');
    expect(readme).toContain('](docs/getting-started.md)');
  });

  it('says the Node versions package.json "engines" allows', () => {
    // package.json: ^20.19.0 || >=22.13.0 (vite 8 and osls need 20.19; osls needs 22.13 on 22).
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.13.0');
    expect(readme).toContain('Node.js 20.19+ or 22.13+');
    expect(readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8')).toContain('Node.js 20.19+ or 22.13+');
  });
});
