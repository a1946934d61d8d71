/**
 * Escape text for HTML content and double- or single-quoted attribute values. Every string from a record is
 * attacker-controlled (docs/security.md): each HTML page Netwatch writes (the posture report, the backtest and
 * evidence reports) passes every value through this one function.
 * @see https://html.spec.whatwg.org/multipage/syntax.html#escapingString
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
