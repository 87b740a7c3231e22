/** Configuration: required settings, storage-dependent settings, and the sources' precedence. */
import { ConfigError } from '@mithril-ts/service-kit';
import { loadSnapshotterConfig, startSnapshotter } from '../src/index.js';

const required = {
  MITHRIL_SNAPSHOTTER_NETWORK: 'devnet',
  MITHRIL_SNAPSHOTTER_IMMUTABLE_DIRECTORY: '/db/immutable',
  MITHRIL_SNAPSHOTTER_STORE_PATH: '/var/snapshotter.sqlite3',
  MITHRIL_SNAPSHOTTER_AGGREGATOR_ADDRESS: 'aggregator:50051',
};

describe('snapshotter configuration', () => {
  it('applies defaults, the environment and then the command line', () => {
    const config = loadSnapshotterConfig(['--grpc-port', '7000', '--keep-snapshots', '5'], {
      ...required,
      MITHRIL_SNAPSHOTTER_STORAGE_DIRECTORY: '/srv/artifacts',
      MITHRIL_SNAPSHOTTER_GRPC_PORT: '6000',
    });
    expect(config).toMatchObject({
      network: 'devnet',
      grpcPort: 7000,
      httpPort: 8082,
      storage: 'local',
      storageDirectory: '/srv/artifacts',
      digestCache: 'sqlite',
      compression: 'gzip',
      keepSnapshots: 5,
      s3ForcePathStyle: true,
      aggregatorAddress: 'aggregator:50051',
      aggregatorDeadlineMs: 10_000,
    });
  });

  it('reads S3 settings, including a false path-style flag', () => {
    const config = loadSnapshotterConfig([], {
      ...required,
      MITHRIL_SNAPSHOTTER_STORAGE: 's3',
      MITHRIL_SNAPSHOTTER_S3_BUCKET: 'snapshots',
      MITHRIL_SNAPSHOTTER_S3_FORCE_PATH_STYLE: 'false',
      MITHRIL_SNAPSHOTTER_S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(config).toMatchObject({ storage: 's3', s3Bucket: 'snapshots', s3ForcePathStyle: false, s3Endpoint: 'http://127.0.0.1:9000', s3Region: 'us-east-1' });
  });

  it('names what is missing or wrong, and where it came from', () => {
    expect(() => loadSnapshotterConfig([], { ...required })).toThrow(/storageDirectory \(default\): required with local storage/);
    expect(() => loadSnapshotterConfig([], { ...required, MITHRIL_SNAPSHOTTER_STORAGE: 's3' })).toThrow(/s3Bucket/);
    expect(() => loadSnapshotterConfig(['--storage-directory', '/x', '--digest-cache', 'json'], required)).toThrow(/digestCachePath/);
    expect(() => loadSnapshotterConfig(['--storage-directory', '/x', '--compression', 'brotli'], required)).toThrow(/compression \(command line\)/);
    expect(loadSnapshotterConfig(['--storage-directory', '/x', '--compression', 'zstd'], required).compression).toBe('zstd');
    expect(() => loadSnapshotterConfig(['--storage-directory', '/x', '--network', '../etc'], required)).toThrow(/network \(command line\)/);
    expect(() => loadSnapshotterConfig(['--storage-directory', '/x'], { MITHRIL_SNAPSHOTTER_NETWORK: 'devnet' })).toThrow(ConfigError);
    // No snapshot without a certificate check: the aggregator to ask is required.
    const { MITHRIL_SNAPSHOTTER_AGGREGATOR_ADDRESS: _address, ...withoutAggregator } = required;
    expect(() => loadSnapshotterConfig(['--storage-directory', '/x'], withoutAggregator)).toThrow(/aggregatorAddress/);
  });

  it('refuses an invalid configuration at start', async () => {
    await expect(startSnapshotter({ network: 'devnet', immutableDirectory: '/x', storePath: '/y', aggregatorAddress: '127.0.0.1:1' })).rejects.toThrow(
      /storageDirectory/,
    );
  });
});
