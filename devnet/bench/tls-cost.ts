/**
 * The cost of TLS: the headline figures of the plaintext round and of the TLS round of one run,
 * side by side, with their ratio and the cost in % (positive: TLS is slower). Target: ≤ 15 %.
 */

export type Transport = 'plaintext' | 'tls';

export const TRANSPORT_LABELS: Readonly<Record<Transport, string>> = {
  plaintext: 'plaintext',
  tls: 'TLS (mutual TLS on internal links)',
};

export interface RoundFigures {
  /** Accepted registrations per second in the measured registration round (e0+1). */
  readonly registrationsPerSecond: number;
  /** Accepted signatures per second, first signature sent → certificate. */
  readonly acceptedPerSecond: number;
  /** Seconds from the first signature sent to the certificate (WatchCertificates). */
  readonly toCertificate: number;
  /** Seconds from starting the services to the certificate verified back to genesis. */
  readonly totalSeconds: number;
  /** Load average (1 min) when the first signature was sent. */
  readonly loadAverage?: number;
  /** Bytes: the aggregator's RSS with no signer yet and its peak (VmHWM); the others' peaks. */
  readonly memory?: {
    readonly aggregatorIdle: number | undefined;
    readonly aggregatorPeak: number | undefined;
    readonly gatewayPeak: number | undefined;
    readonly certifierPeak: number | undefined;
  };
}

const TARGET_TLS_COST_PERCENT = 15;

interface Measure {
  readonly what: string;
  readonly of: (figures: RoundFigures) => number;
  readonly unit: string;
  /** A rate loses to TLS when it drops, a duration when it grows. */
  readonly kind: 'rate' | 'duration';
}

const MEASURES: readonly Measure[] = [
  { what: 'registrations per second (e0+1)', of: (f) => f.registrationsPerSecond, unit: '/s', kind: 'rate' },
  { what: 'signatures accepted per second until the certificate', of: (f) => f.acceptedPerSecond, unit: '/s', kind: 'rate' },
  { what: 'first signature sent → certificate', of: (f) => f.toCertificate, unit: ' s', kind: 'duration' },
  { what: 'total: services started → certificate verified', of: (f) => f.totalSeconds, unit: ' s', kind: 'duration' },
];

/** The cost of TLS on one measure, in %: how much more time the same work takes over TLS. */
function tlsCostPercent(kind: Measure['kind'], plaintext: number, tls: number): number {
  const timeRatio = kind === 'rate' ? plaintext / tls : tls / plaintext;
  return (timeRatio - 1) * 100;
}

function figure(value: number, unit: string): string {
  return unit === '/s' ? `${value.toFixed(0)}${unit}` : `${value.toFixed(2)}${unit}`;
}

export function renderTlsCost(plaintext: RoundFigures | undefined, tls: RoundFigures | undefined): string {
  const lines = ['\nThe cost of TLS (same run, same signers and keys)\n'];
  if (plaintext === undefined || tls === undefined) {
    lines.push(`no comparison: the ${plaintext === undefined ? 'plaintext' : 'TLS'} round did not reach a certificate`);
    return lines.join('\n');
  }
  lines.push(`| measurement | plaintext | TLS | TLS / plaintext | TLS cost | target |`, '|---|---|---|---|---|---|');
  for (const measure of MEASURES) {
    const [p, t] = [measure.of(plaintext), measure.of(tls)];
    const cost = tlsCostPercent(measure.kind, p, t);
    const status = cost <= TARGET_TLS_COST_PERCENT ? 'PASS' : 'MISS';
    lines.push(
      `| ${measure.what} | ${figure(p, measure.unit)} | ${figure(t, measure.unit)} | ${(t / p).toFixed(2)} | ${cost >= 0 ? '+' : ''}${cost.toFixed(1)} % | ≤ ${TARGET_TLS_COST_PERCENT} % ${status} |`,
    );
  }
  return lines.join('\n');
}
