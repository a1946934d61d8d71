import { describe, expect, it } from 'vitest';
import { bundledNotice, notificationsHtml } from '../../scripts/render-notifications.ts';
import { findingHeadline } from '../../shared/6-deliver/sinks/format/headline.ts';

/**
 * docs/images/notifications.png is a screenshot of what scripts/render-notifications.ts writes: the bundled SSH-to-the-
 * world event classified by the built command, formatted by the real SNS, Slack and PagerDuty builders. This keeps the
 * script working (a picture of formatter output that no longer exists would mislead).
 */
describe('scripts/render-notifications.ts', () => {
  it('renders the bundled finding as an email, a Slack message and a PagerDuty incident', () => {
    // Prepare
    const notice = bundledNotice();
    // Act
    const html = notificationsHtml(notice);
    // Assess: the finding is the one the picture shows, and each view holds its sink's own text.
    expect(notice.finding.ruleId).toBe('sg-open-world');
    expect(notice.finding.resource.id).toBe('sg-0a1b2c3d4e5f60718');
    expect(html).toContain('WHAT CHANGED');
    expect(html).toContain('WHY IT IS RISKY');
    expect(html).toContain('class="sh"');
    expect(html).toContain('sev-error');
    expect(html).toContain(findingHeadline(notice.finding).slice(0, 40).replaceAll('&', '&amp;'));
    expect(html).not.toContain('<script');
  });
});
