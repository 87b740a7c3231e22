/**
 * How a service's node process runs in production: the settings the images carry (build
 * arguments of the Containerfile, passed by build-images.mjs) and that `npm run bench:round --
 * --compiled` applies to the services it starts, so the bench measures what is deployed.
 *
 * - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena (up to 8 per
 *   core); node's libuv pool, V8's GC helpers, gRPC and the SQLite driver are many threads with
 *   little native memory each, so most of those arenas are mostly empty pages held in RSS. Two
 *   arenas took the aggregator from 254 MB to 229 MB idle (issue 14, measured). musl ignores it.
 * - --max-old-space-size: V8 sizes its old generation from the machine's memory (4 GB on a
 *   24 GB machine) and collects lazily until near it, so a burst of garbage stays in RSS. The caps
 *   sit well above each service's live heap after a full GC (aggregator ~55 MB at 1000 signers,
 *   ~90 MB at 3000 during the signature burst) and keep the pod's memory limit out of reach. A
 *   heap that really outgrows its cap ends the process (the supervisor restarts it), which the
 *   bench would show as a failed round.
 */

/** Old-generation cap per service, MiB (none for the client and the chain: short-lived or not a service). */
const MAX_OLD_SPACE_MIB = {
  aggregator: 192,
  'signer-gateway': 160,
  certifier: 128,
  snapshotter: 256,
  'rest-gateway': 160,
  signer: 192,
};

/** The environment a service's process starts with (NODE_OPTIONS carries the heap cap). */
export function runtimeEnvironment(name) {
  const cap = MAX_OLD_SPACE_MIB[name];
  return { MALLOC_ARENA_MAX: '2', ...(cap === undefined ? {} : { NODE_OPTIONS: `--max-old-space-size=${cap}` }) };
}
