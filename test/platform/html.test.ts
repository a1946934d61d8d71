import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/platform/html.ts';

describe('escapeHtml', () => {
  it('leaves no markup and no way out of a quoted attribute', () => {
    // Prepare: a tag value an attacker chose (CreateTags lets any caller set it).
    const tag = `"'><img src=x onerror=alert(1)>&amp;`;

    // Act
    const out = escapeHtml(tag);

    // Assess
    expect(out).toBe('&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;');
    expect(out).not.toMatch(/[<>"']/);
  });

  it('keeps plain text as it is', () => {
    expect(escapeHtml('sg-0a1b2c3d4e5f60718 tcp/22 from 0.0.0.0/0')).toBe('sg-0a1b2c3d4e5f60718 tcp/22 from 0.0.0.0/0');
  });
});
