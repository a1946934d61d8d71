import { escapeHtml } from '../../shared/platform/html.ts';
import type { Severity } from '../../shared/model/severity.ts';

/**
 * Inline SVG charts for the HTML report: no script, no external asset, so the report opens anywhere (a mail
 * attachment, an air-gapped laptop) and prints as it shows. Each chart carries a <title> and text labels, so the
 * numbers are readable without hovering.
 */

/** Severity colours (colour-blind-safe ordering: darker = worse), shared by charts and tables. */
export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = {
  critical: '#7f0000',
  high: '#d7301f',
  medium: '#fc8d59',
  low: '#9ecae1',
  info: '#d9d9d9',
};

/** One stacked column: a label (a day) and a value per series. */
export interface StackedColumn {
  label: string;
  values: Partial<Record<Severity, number>>;
}

/** Findings per day, stacked by severity (most severe at the bottom, where the eye starts). */
export function stackedColumns(title: string, columns: readonly StackedColumn[], series: readonly Severity[]): string {
  const width = 900;
  const height = 260;
  const left = 44;
  const bottom = 40;
  const top = 16;
  const plotH = height - bottom - top;
  const max = Math.max(1, ...columns.map((c) => series.reduce((s, k) => s + (c.values[k] ?? 0), 0)));
  const ticks = niceTicks(max);
  const scaleMax = ticks[ticks.length - 1] ?? max;
  const slot = (width - left - 10) / Math.max(1, columns.length);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const parts: string[] = [];
  for (const t of ticks) {
    const y = top + plotH - (t / scaleMax) * plotH;
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/><text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="axis">${t}</text>`,
    );
  }
  const labelEvery = Math.ceil(columns.length / 15);
  columns.forEach((c, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = top + plotH;
    const total = series.reduce((s, k) => s + (c.values[k] ?? 0), 0);
    for (const k of series) {
      const v = c.values[k] ?? 0;
      if (v === 0) continue;
      const h = (v / scaleMax) * plotH;
      y -= h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${SEVERITY_COLOURS[k]}"><title>${escapeHtml(c.label)}: ${v} ${k}</title></rect>`,
      );
    }
    if (total > 0 && columns.length <= 31)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" class="value">${total}</text>`,
      );
    if (i % labelEvery === 0)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" class="axis">${escapeHtml(c.label.slice(5))}</text>`,
      );
  });
  const legend = series
    .map(
      (k, i) =>
        `<rect x="${left + i * 90}" y="${height - 14}" width="10" height="10" fill="${SEVERITY_COLOURS[k]}"/><text x="${left + i * 90 + 14}" y="${height - 5}" class="axis">${k}</text>`,
    )
    .join('');
  return `<svg role="img" viewBox="0 0 ${width} ${height}" width="100%" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${parts.join('')}${legend}</svg>`;
}

/** One horizontal bar: a label, a total, and the part of it that pages. */
export interface Bar {
  label: string;
  total: number;
  highlighted: number;
  colour: string;
}

/** Horizontal bars (top rules): the paging part drawn dark inside each bar, both numbers written beside it. */
export function horizontalBars(title: string, bars: readonly Bar[]): string {
  const rowH = 26;
  const labelW = 230;
  const width = 900;
  const height = Math.max(1, bars.length) * rowH + 10;
  const max = Math.max(1, ...bars.map((b) => b.total));
  const plotW = width - labelW - 140;
  const parts = bars.map((b, i) => {
    const y = 5 + i * rowH;
    const w = (b.total / max) * plotW;
    const hw = (b.highlighted / max) * plotW;
    return (
      `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" class="label">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="18" fill="#cfd8e3"><title>${escapeHtml(b.label)}: ${b.total} findings</title></rect>` +
      (hw > 0
        ? `<rect x="${labelW}" y="${y + 3}" width="${hw.toFixed(1)}" height="18" fill="${b.colour}"><title>${escapeHtml(b.label)}: ${b.highlighted} pages</title></rect>`
        : '') +
      `<text x="${labelW + Math.max(1, w) + 6}" y="${y + 16}" class="value">${b.total} findings · ${b.highlighted} pages</text>`
    );
  });
  return `<svg role="img" viewBox="0 0 ${width} ${height}" width="100%" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

/** Round tick values from 0 to at least `max`. */
function niceTicks(max: number): number[] {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Math.round(t * 100) / 100);
  return ticks;
}
