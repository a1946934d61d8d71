import { describe, expect, it } from 'vitest';
import { coldStart } from '../../shared/lambda/cold-start.ts';

describe('coldStart', () => {
  it('starts the build at once and shares one promise between invocations', async () => {
    // Prepare
    let builds = 0;
    const get = coldStart(async () => ++builds);
    // Act
    const [a, b] = await Promise.all([get(), get()]);
    // Assess
    expect([a, b, builds]).toEqual([1, 1, 1]);
  });

  it('does not cache a failed build: the next invocation retries (a transient SSM error must not poison the container)', async () => {
    let builds = 0;
    const get = coldStart(async () => {
      builds += 1;
      if (builds === 1) throw new Error('ThrottlingException');
      return 'ready';
    });
    await expect(get()).rejects.toThrow('ThrottlingException');
    await expect(get()).resolves.toBe('ready');
    expect(builds).toBe(2);
  });
});
