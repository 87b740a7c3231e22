/**
 * The settings of the ports operators point their tools at, under the same names on every service:
 * `metricsPort`/`metricsHost` (Prometheus `GET /metrics`, every service) and `healthPort`/`healthHost`
 * (a plaintext gRPC server with only grpc.health.v1, the gRPC services). Absent ports are off.
 */
import { z } from 'zod';

// An empty value (a manifest templating an unset variable) is "absent", not port 0 (a random port).
const optionalPort = z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(0).max(65535).optional());

export const metricsSettings = {
  /** Port of the HTTP Prometheus endpoint `/metrics`; absent: no endpoint (0 picks a free one). */
  metricsPort: optionalPort,
  /** Default 127.0.0.1 (applied by startTelemetry, so a configuration built in code may leave it out). */
  metricsHost: z.string().min(1).optional(),
};

export const healthSettings = {
  /** Port of the plaintext gRPC health server for kubelet's gRPC probes; absent: none (0 picks a free one). */
  healthPort: optionalPort,
  /** Default 127.0.0.1 (applied by startGrpcServer). */
  healthHost: z.string().min(1).optional(),
};

export const METRICS_SETTING_DESCRIPTIONS = {
  metricsPort: 'port of the Prometheus endpoint GET /metrics (plain HTTP; absent: off)',
  metricsHost: 'address the Prometheus endpoint listens on (default 127.0.0.1)',
} as const;

export const HEALTH_SETTING_DESCRIPTIONS = {
  healthPort: 'port of a plaintext gRPC server with only grpc.health.v1 Check/List, for probes that cannot use TLS (absent: off)',
  healthHost: 'address the health server listens on (default 127.0.0.1)',
} as const;
