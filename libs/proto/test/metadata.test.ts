import { Metadata } from '@grpc/grpc-js';
import { missingVersionMetadataKeys, NODE_VERSION_METADATA_KEY, PROTOCOL_VERSION_METADATA_KEY, readVersionMetadata, setVersionMetadata } from '../src/index.js';

describe('version metadata', () => {
  it('names the keys of the contract', () => {
    expect(NODE_VERSION_METADATA_KEY).toBe('mithril-node-version');
    expect(PROTOCOL_VERSION_METADATA_KEY).toBe('mithril-protocol-version');
  });

  it('writes both keys and reads them back', () => {
    const metadata = setVersionMetadata({ nodeVersion: '0.3.1+abc', protocolVersion: '0.1.0' });
    expect(metadata.get('mithril-node-version')).toEqual(['0.3.1+abc']);
    expect(metadata.get('mithril-protocol-version')).toEqual(['0.1.0']);
    expect(readVersionMetadata(metadata)).toEqual({ nodeVersion: '0.3.1+abc', protocolVersion: '0.1.0' });
    expect(missingVersionMetadataKeys(readVersionMetadata(metadata))).toEqual([]);
  });

  it('adds to existing metadata, replacing previous versions', () => {
    const metadata = new Metadata();
    metadata.set('authorization', 'token');
    metadata.add('mithril-node-version', '0.0.1');
    setVersionMetadata({ nodeVersion: '0.3.1', protocolVersion: '0.1.0' }, metadata);
    expect(metadata.get('authorization')).toEqual(['token']);
    expect(metadata.get('mithril-node-version')).toEqual(['0.3.1']);
  });

  it('refuses values that are not printable ASCII metadata', () => {
    for (const bad of ['', ' 0.1.0', '0.1.0 ', '0.1.é', '0.1\n', 'x'.repeat(129)]) {
      expect(() => setVersionMetadata({ nodeVersion: bad, protocolVersion: '0.1.0' })).toThrow(TypeError);
      expect(() => setVersionMetadata({ nodeVersion: '0.1.0', protocolVersion: bad })).toThrow(TypeError);
    }
  });

  it('reads absent, repeated or malformed keys as missing', () => {
    expect(readVersionMetadata(new Metadata())).toEqual({ nodeVersion: undefined, protocolVersion: undefined });
    expect(missingVersionMetadataKeys(readVersionMetadata(new Metadata()))).toEqual(['mithril-node-version', 'mithril-protocol-version']);
    const repeated = new Metadata();
    repeated.add('mithril-node-version', '0.3.1');
    repeated.add('mithril-node-version', '0.3.2');
    repeated.set('mithril-protocol-version', ' 0.1.0');
    expect(readVersionMetadata(repeated)).toEqual({ nodeVersion: undefined, protocolVersion: undefined });
  });
});
