// Gantt-like step timeline: one row per recorded step, a bar from its start to its end in seconds
// since the run started; steps that recorded no duration show as a tick at their end.
import { type Frame, PALETTE, esc, fmt, niceTicks, plotWidth, r2, svgDoc } from './svg.js';

export interface TimelineRow {
  label: string;
  /** Colour group (e.g. the step type). */
  group: string;
  startMs: number;
  endMs: number;
  cacheHit: boolean;
}

export interface TimelineSpec {
  id: string;
  title: string;
  originMs: number;
  /** End of the axis (e.g. run end); default the last step's end. */
  endMs?: number;
  rows: readonly TimelineRow[];
  width?: number;
}

export function timelineChart(spec: TimelineSpec): string {
  const rowH = 16;
  const f: Frame = { width: spec.width ?? 820, height: 60 + rowH * spec.rows.length, left: 210, right: 24, top: 12, bottom: 42 };
  const end = Math.max(spec.endMs ?? 0, ...spec.rows.map((r) => r.endMs), spec.originMs + 1);
  const xt = niceTicks(0, (end - spec.originMs) / 1000, 8);
  const pw = plotWidth(f);
  const x = (ms: number): number => f.left + ((ms - spec.originMs) / 1000 / (xt[xt.length - 1]! || 1)) * pw;
  const groups = [...new Set(spec.rows.map((r) => r.group))];
  const bottom = f.height - f.bottom;
  const parts: string[] = [];
  for (const t of xt) {
    const px = f.left + (t / (xt[xt.length - 1]! || 1)) * pw;
    parts.push(`<line class="grid" x1="${r2(px)}" x2="${r2(px)}" y1="${f.top}" y2="${bottom}"/>`);
    parts.push(`<text class="tick" x="${r2(px)}" y="${bottom + 16}" text-anchor="middle">${esc(fmt(t, 3))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${r2(f.left + pw / 2)}" y="${f.height - 6}" text-anchor="middle">seconds since the run started</text>`);
  spec.rows.forEach((row, i) => {
    const y = f.top + i * rowH;
    const color = PALETTE[groups.indexOf(row.group) % PALETTE.length];
    const x0 = x(row.startMs);
    const w = Math.max(2, x(row.endMs) - x0);
    const tip = `${row.label}: ${fmt((row.startMs - spec.originMs) / 1000)} s → ${fmt((row.endMs - spec.originMs) / 1000)} s (${fmt((row.endMs - row.startMs) / 1000)} s)${row.cacheHit ? ', cache hit' : ''}`;
    parts.push(`<text class="tick" x="${f.left - 8}" y="${y + 12}" text-anchor="end">${esc(row.label)}</text>`);
    parts.push(
      `<rect class="step${row.cacheHit ? ' cache-hit' : ''}" x="${r2(row.endMs === row.startMs ? x0 - 1 : x0)}" y="${y + 3}" width="${r2(w)}" height="${rowH - 5}" fill="${color}"><title>${esc(tip)}</title></rect>`,
    );
  });
  return svgDoc(spec.id, spec.title, f, parts.join(''));
}
