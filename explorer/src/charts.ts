/**
 * Small SVG charts: a bar chart and a line chart that scale to their container (viewBox), each
 * with a text description for screen readers and its numbers in a table beside it.
 */
import { h, s } from './dom.js';

export interface Point {
  readonly label: string;
  readonly value: number;
}

const WIDTH = 600;
const HEIGHT = 220;
// Wide enough on the left for a tick such as "100.00 %" at the chart font size.
const PAD = { left: 72, right: 12, top: 12, bottom: 36 };

function frame(title: string, summary: string, body: SVGElement[], points: readonly Point[], format: (v: number) => string): HTMLElement {
  const svg = s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `${title}: ${summary}`, class: 'chart-svg', preserveAspectRatio: 'xMidYMid meet' },
    ...body,
  );
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, title),
    svg,
    h(
      'details',
      {},
      h('summary', {}, 'Numbers'),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'label'), h('th', { scope: 'col' }, 'value'))),
        h(
          'tbody',
          {},
          points.map((p) => h('tr', {}, h('td', {}, p.label), h('td', {}, format(p.value)))),
        ),
      ),
    ),
  );
}

function axis(max: number, format: (v: number) => string): SVGElement[] {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  return [0, 0.5, 1].map((fraction) => {
    const y = PAD.top + plotHeight * (1 - fraction);
    return s(
      'g',
      {},
      s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: 'grid' }),
      s('text', { x: PAD.left - 4, y: y + 4, 'text-anchor': 'end', class: 'tick' }, format(max * fraction)),
    );
  });
}

/** Labels under the x axis, thinned so that they do not overlap. */
function xLabels(points: readonly Point[], xOf: (i: number) => number): SVGElement[] {
  const every = Math.max(1, Math.ceil(points.length / 12));
  return points.flatMap((p, i) =>
    i % every === 0 ? [s('text', { x: xOf(i), y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, p.label)] : [],
  );
}

export function barChart(title: string, points: readonly Point[], format: (v: number) => string = (v) => String(Math.round(v))): HTMLElement {
  const max = Math.max(1e-12, ...points.map((p) => p.value));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(1, points.length);
  const xOf = (i: number) => PAD.left + step * (i + 0.5);
  const bars = points.map((p, i) => {
    const height = (p.value / max) * plotHeight;
    return s(
      'rect',
      { x: PAD.left + step * i + step * 0.1, y: PAD.top + plotHeight - height, width: step * 0.8, height, class: 'bar' },
      s('title', {}, `${p.label}: ${format(p.value)}`),
    );
  });
  const summary = points.length === 0 ? 'no data' : `${points.length} bars, largest ${format(max)}`;
  return frame(title, summary, [...axis(max, format), ...bars, ...xLabels(points, xOf)], points, format);
}

export function lineChart(title: string, points: readonly Point[], format: (v: number) => string = (v) => v.toFixed(0)): HTMLElement {
  const max = Math.max(1e-12, ...points.map((p) => p.value));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (points.length <= 1 ? plotWidth / 2 : (plotWidth * i) / (points.length - 1));
  const yOf = (v: number) => PAD.top + plotHeight * (1 - v / max);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${xOf(i).toFixed(1)},${yOf(p.value).toFixed(1)}`).join(' ');
  const summary =
    points.length === 0 ? 'no data' : `from ${points[0]!.label} (${format(points[0]!.value)}) to ${points.at(-1)!.label} (${format(points.at(-1)!.value)})`;
  return frame(title, summary, [...axis(max, format), s('path', { d: path, class: 'line' }), ...xLabels(points, xOf)], points, format);
}
