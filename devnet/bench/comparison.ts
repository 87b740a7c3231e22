/**
 * This tree's round against a baseline's (`--baseline <dir>`: another checkout, e.g. main, whose
 * services run the same round on the same signers and keys in the same run): the headline figures
 * side by side with their ratio and the targets of issue 14.
 */
import type { RoundFigures } from './tls-cost.js';

interface Measure {
  readonly what: string;
  readonly of: (figures: RoundFigures) => number | undefined;
  readonly unit: '/s' | ' s' | ' MB';
  /** The target, and whether a figure meets it. */
  readonly target: string;
  readonly met: (value: number) => boolean;
}

const MB = 1024 * 1024;

const MEASURES: readonly Measure[] = [
  { what: 'registrations per second (e0+1, through the gateway)', of: (f) => f.registrationsPerSecond, unit: '/s', target: '≥ 800/s', met: (v) => v >= 800 },
  { what: 'signatures accepted per second until the certificate', of: (f) => f.acceptedPerSecond, unit: '/s', target: '≥ 1000/s', met: (v) => v >= 1000 },
  { what: 'first signature sent → certificate', of: (f) => f.toCertificate, unit: ' s', target: '≤ 5 s', met: (v) => v <= 5 },
  { what: 'aggregator peak RSS (VmHWM)', of: (f) => f.memory?.aggregatorPeak, unit: ' MB', target: '≤ 400 MB', met: (v) => v <= 400 * MB },
  {
    what: 'aggregator RSS idle (services started, no signer yet)',
    of: (f) => f.memory?.aggregatorIdle,
    unit: ' MB',
    target: '≤ 250 MB',
    met: (v) => v <= 250 * MB,
  },
  { what: 'signer gateway peak RSS', of: (f) => f.memory?.gatewayPeak, unit: ' MB', target: '', met: () => true },
  { what: 'certifier peak RSS', of: (f) => f.memory?.certifierPeak, unit: ' MB', target: '', met: () => true },
  { what: 'total: services started → certificate verified', of: (f) => f.totalSeconds, unit: ' s', target: '', met: () => true },
  { what: 'machine load average (1 min) at the first signature', of: (f) => f.loadAverage, unit: ' s', target: '', met: () => true },
];

function figure(value: number | undefined, measure: Measure): string {
  if (value === undefined) return '—';
  if (measure.what.startsWith('machine load')) return value.toFixed(1);
  if (measure.unit === ' MB') return `${(value / MB).toFixed(0)} MB`;
  return measure.unit === '/s' ? `${value.toFixed(0)}/s` : `${value.toFixed(2)} s`;
}

export function renderComparison(label: string, baseline: RoundFigures | undefined, current: RoundFigures | undefined): string {
  const lines = [`\nThis tree against the baseline (${label}; same run, same signers and keys)\n`];
  lines.push('| measurement | baseline | this tree | this / baseline | target | status |', '|---|---|---|---|---|---|');
  for (const measure of MEASURES) {
    const [b, c] = [baseline === undefined ? undefined : measure.of(baseline), current === undefined ? undefined : measure.of(current)];
    const ratio = b === undefined || c === undefined || b === 0 ? '—' : `${(c / b).toFixed(2)}×`;
    const status = measure.target === '' || c === undefined ? '' : measure.met(c) ? 'PASS' : 'MISS';
    lines.push(`| ${measure.what} | ${figure(b, measure)} | ${figure(c, measure)} | ${ratio} | ${measure.target} | ${status} |`);
  }
  if (baseline === undefined || current === undefined)
    lines.push(`\n(the ${baseline === undefined ? 'baseline' : 'current'} round stopped short of a certificate: its figures are those it reached)`);
  return lines.join('\n');
}
