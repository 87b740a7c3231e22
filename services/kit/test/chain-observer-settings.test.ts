import { z } from 'zod';
import {
  CardanoCliChainObserver,
  CardanoCliFilesChainObserver,
  ConfigError,
  OgmiosChainObserver,
  chainObserverSettings,
  createChainObserver,
  loadConfig,
  requireChainObserverSettings,
} from '../src/index.js';

const schema = z.object({ ...chainObserverSettings }).superRefine(requireChainObserverSettings);
const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(schema, { envPrefix: 'MITHRIL_TEST', env, argv });

describe('chain observer settings', () => {
  it('keeps files as the default, and wants its directory', () => {
    const config = load({ MITHRIL_TEST_CHAIN_DIRECTORY: '/chain' });
    expect(createChainObserver(config).chain).toBeInstanceOf(CardanoCliFilesChainObserver);
    expect(() => load({})).toThrow(ConfigError);
    expect(() => load({})).toThrow(/chainDirectory.*required when chainObserver is files/);
  });

  it('chooses cardano-cli from the environment, with its socket and network', () => {
    const env = {
      MITHRIL_TEST_CHAIN_OBSERVER: 'cardano-cli',
      MITHRIL_TEST_CARDANO_NODE_SOCKET_PATH: '/ipc/node.socket',
      MITHRIL_TEST_CARDANO_NETWORK_MAGIC: '1',
    };
    expect(createChainObserver(load(env)).chain).toBeInstanceOf(CardanoCliChainObserver);
    expect(() => load({ MITHRIL_TEST_CHAIN_OBSERVER: 'cardano-cli' })).toThrow(/cardanoNodeSocketPath.*required when chainObserver is cardano-cli/);
    expect(() => load({ ...env, MITHRIL_TEST_CARDANO_NETWORK_MAGIC: 'preprod' })).toThrow(/mainnet or a testnet magic number/);
    expect(() => load({ ...env, MITHRIL_TEST_CARDANO_NETWORK_MAGIC: '4294967296' })).toThrow(/32 bits/);
    expect(() => load({ ...env, MITHRIL_TEST_CARDANO_CLI_COMMAND_ERA: 'shelley' })).toThrow(ConfigError);
  });

  it('chooses Ogmios from the command line, with a ws:// address', async () => {
    const created = createChainObserver(load({}, ['--chain-observer', 'ogmios', '--ogmios-url', 'ws://127.0.0.1:1337']));
    expect(created.chain).toBeInstanceOf(OgmiosChainObserver);
    await created.close();
    expect(() => load({}, ['--chain-observer', 'ogmios', '--ogmios-url', 'http://127.0.0.1:1337'])).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => load({}, ['--chain-observer', 'blockfrost'])).toThrow(ConfigError);
  });
});
