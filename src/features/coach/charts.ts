/**
 * Geometry for the server-rendered SVG charts. Only numbers and labels are computed here; the
 * markup lives in views/dashboard/_charts.ejs. No client script is involved, so the charts work
 * under the strict CSP and print as they are.
 */
export interface Bar {
  label: string;
  value: number;
  display: string;
  x: number;
  y: number;
  width: number;
  height: number;
  kind: string;
}

export interface BarChart {
  width: number;
  height: number;
  bars: Bar[];
  labels: Array<{ text: string; x: number; y: number; anchor: 'start' | 'middle' | 'end' }>;
}

/** Widths the charts are drawn at: the wide one for screens, the narrow one for phones (its text stays at 12 px there). */
export const CHART_WIDTH = 640;
export const NARROW_CHART_WIDTH = 330;

/**
 * Horizontal bars, one per item, longest first (spending by category, budget vs actual). Wide:
 * the label left of each bar; narrow (under 480 units): the label above its bar, so long names
 * keep their room on a phone.
 */
export function horizontalBars(items: Array<{ label: string; value: number; display: string; kind?: string }>, width = CHART_WIDTH): BarChart {
  const stacked = width < 480;
  const rowHeight = stacked ? 42 : 28;
  const labelWidth = stacked ? 0 : 170;
  const valueWidth = stacked ? 90 : 110;
  const barTop = stacked ? 20 : 6;
  const max = Math.max(1, ...items.map((i) => i.value));
  const plot = width - labelWidth - valueWidth;
  const bars = items.map((item, i) => ({
    label: item.label,
    value: item.value,
    display: item.display,
    x: labelWidth,
    y: i * rowHeight + barTop,
    width: Math.max(item.value > 0 ? 2 : 0, Math.round((item.value / max) * plot)),
    height: stacked ? 14 : rowHeight - 12,
    kind: item.kind ?? 'spend',
  }));
  const labels = bars.flatMap((b) => [
    stacked ? { text: b.label, x: 0, y: b.y - 5, anchor: 'start' as const } : { text: b.label, x: labelWidth - 8, y: b.y + b.height - 3, anchor: 'end' as const },
    { text: b.display, x: labelWidth + b.width + 6, y: b.y + b.height - 3, anchor: 'start' as const },
  ]);
  return { width, height: Math.max(rowHeight, items.length * rowHeight), bars, labels };
}

/** Paired vertical bars per month (income vs expenses for the last 12 months). */
export function pairedColumns(months: Array<{ label: string; a: number; b: number }>, width = CHART_WIDTH, height = 220): BarChart {
  const bottom = height - 24;
  const max = Math.max(1, ...months.flatMap((m) => [m.a, m.b]));
  const slot = width / Math.max(1, months.length);
  const barWidth = Math.max(4, Math.floor(slot / 2 - 4));
  const scale = (v: number) => Math.round((Math.max(0, v) / max) * (bottom - 10));
  const bars = months.flatMap((m, i) => {
    const x = Math.round(i * slot + (slot - barWidth * 2 - 2) / 2);
    return [
      { label: `${m.label} income`, value: m.a, display: '', x, y: bottom - scale(m.a), width: barWidth, height: scale(m.a), kind: 'income' },
      { label: `${m.label} expenses`, value: m.b, display: '', x: x + barWidth + 2, y: bottom - scale(m.b), width: barWidth, height: scale(m.b), kind: 'expense' },
    ];
  });
  const labels = months.map((m, i) => ({ text: m.label, x: Math.round(i * slot + slot / 2), y: height - 6, anchor: 'middle' as const }));
  return { width, height, bars, labels };
}

/** One column per month around a zero line, up for positive values and down for negative ones (net worth). */
export function signedColumns(months: Array<{ label: string; value: number; display: string }>, width = CHART_WIDTH, height = 220): BarChart & { zeroY: number } {
  const top = 10;
  const bottom = height - 24;
  const max = Math.max(0, ...months.map((m) => m.value));
  const min = Math.min(0, ...months.map((m) => m.value));
  const span = Math.max(1, max - min);
  const y = (v: number) => Math.round(top + ((max - v) / span) * (bottom - top));
  const zeroY = y(0);
  const slot = width / Math.max(1, months.length);
  const barWidth = Math.max(4, Math.floor(slot * 0.6));
  const bars = months.map((m, i) => {
    const end = y(m.value);
    return {
      label: `${m.label}: ${m.display}`,
      value: m.value,
      display: m.display,
      x: Math.round(i * slot + (slot - barWidth) / 2),
      y: Math.min(end, zeroY),
      width: barWidth,
      height: Math.max(m.value === 0 ? 0 : 1, Math.abs(end - zeroY)),
      kind: m.value < 0 ? 'negative' : 'positive',
    };
  });
  const labels = months.map((m, i) => ({ text: m.label, x: Math.round(i * slot + slot / 2), y: height - 6, anchor: 'middle' as const }));
  return { width, height, bars, labels, zeroY };
}

/** A chart drawn at both widths: the page shows the wide one on a screen and the narrow one on a phone. */
export function atBothWidths<T>(draw: (width: number) => T): { wide: T; narrow: T } {
  return { wide: draw(CHART_WIDTH), narrow: draw(NARROW_CHART_WIDTH) };
}
