import { ErrorCode, type EpochSettings } from '@mithril-ts/proto';
import { EpochKeyCache } from '@mithril-ts/protocol';
import { EpochSettingsCache, GatewayError } from '../src/index.js';
import { signingRound } from './fixture.js';

const round = signingRound({ k: 5n, m: 50n, phiF: 0.9 }, [10n, 20n, 30n], 12n);

function cache(settings: () => EpochSettings, ttlMs = 1000) {
  const clock = { now: 0 };
  const fetched: number[] = [];
  let release: (() => void) | undefined;
  const options = {
    ttlMs,
    now: () => clock.now,
    fetch: async () => {
      fetched.push(clock.now);
      // Lets a test keep the fetch in flight while more callers arrive.
      if (gate.closed) await new Promise<void>((resolve) => (release = resolve));
      return settings();
    },
  };
  const gate = { closed: false, open: () => release?.() };
  return { cache: new EpochSettingsCache(options), clock, fetched, gate };
}

describe('EpochSettingsCache', () => {
  it('shares one fetch between concurrent callers and closes the signers of the epoch', async () => {
    const { cache: settings, fetched, gate } = cache(() => round.epochSettings);
    gate.closed = true;
    const waiting = [settings.current(), settings.current(12n), settings.current()];
    await new Promise((resolve) => setImmediate(resolve));
    gate.open();
    const views = await Promise.all(waiting);
    expect(fetched).toHaveLength(1);
    expect(new Set(views).size).toBe(1);
    const view = views[0]!;
    expect(view.epoch).toBe(12n);
    expect(view.parameters).toEqual({ k: 5n, m: 50n, phiF: 0.9 });
    expect(view.signers?.avk.commitment.root).toEqual(round.signerSet.avk.commitment.root);
    expect([...view.partyIds]).toEqual(round.parties.map((party) => party.partyId));
  });

  it('closes the signers with the keys decoded when they registered, and forgets the epochs that passed', async () => {
    const keys = new EpochKeyCache();
    // The signers of epoch 12 registered during 10 (recorded for 11); an older epoch's key goes when 12 is seen.
    round.parties.forEach((party, i) =>
      keys.remember(11n, party.partyId, round.epochSettings.currentSigners[i]!.verificationKey, party.initializer.verificationKeyPoP, false),
    );
    const old = round.parties[0]!.initializer.verificationKeyPoP;
    keys.remember(9n, 'pool-of-epoch-9', new Uint8Array(192).fill(9), old, false);
    const looked: Uint8Array[] = [];
    const lookup = keys.lookup.bind(keys);
    keys.lookup = (bytes) => {
      looked.push(bytes);
      return lookup(bytes);
    };
    const settings = new EpochSettingsCache({ ttlMs: 1000, now: () => 0, fetch: async () => round.epochSettings, keys });
    const view = await settings.current();
    expect(view.signers?.avk).toEqual(round.signerSet.avk);
    expect(looked).toHaveLength(round.parties.length);
    // Every key came from the cache: the decoded objects are the registered ones.
    const registered = new Set(round.parties.map((party) => party.initializer.verificationKeyPoP.vk));
    expect(view.signers?.closed.parties.every((party) => registered.has(party.vk))).toBe(true);
    expect(keys.size).toBe(round.parties.length);
  });

  it('reuses the settings while fresh, then fetches again but closes the same signers only once', async () => {
    const { cache: settings, clock, fetched } = cache(() => round.epochSettings, 1000);
    const first = await settings.current();
    clock.now = 999;
    expect(await settings.current()).toBe(first);
    expect(fetched).toHaveLength(1);
    clock.now = 1000;
    const second = await settings.current();
    expect(fetched).toHaveLength(2);
    expect(second.signers).toBe(first.signers);
  });

  it('fetches early for a newer epoch, but not more often than the minimum interval', async () => {
    let epoch = 12n;
    const { cache: settings, clock, fetched } = cache(() => ({ ...round.epochSettings, epoch }), 60_000);
    const first = await settings.current(12n);
    clock.now = 50;
    expect((await settings.current(13n)).epoch).toBe(12n);
    expect(fetched).toHaveLength(1);
    clock.now = 100;
    epoch = 13n;
    const next = await settings.current(13n);
    expect(fetched).toEqual([0, 100]);
    expect(next.epoch).toBe(13n);
    // Same signers, another epoch: closed again (a signer set belongs to its epoch).
    expect(next.signers).not.toBe(first.signers);
    expect(next.id).not.toBe(first.id);
  });

  it('has no signing material for an epoch without signers', async () => {
    const { cache: settings } = cache(() => ({ ...round.epochSettings, currentSigners: [] }));
    const view = await settings.current();
    expect(view.signers).toBeUndefined();
    expect(view.clerk).toBeUndefined();
  });

  it.each<[string, Partial<EpochSettings>, RegExp]>([
    ['no current parameters', { currentProtocolParameters: undefined }, /current_protocol_parameters is missing/],
    ['invalid parameters', { currentProtocolParameters: { k: 60n, m: 50n, phiF: 0.9 } }, /current_protocol_parameters/],
    [
      'a signer key that is not a key',
      { currentSigners: [{ ...round.epochSettings.currentSigners[0]!, verificationKey: Buffer.alloc(192) }] },
      /cannot be closed/,
    ],
  ])('answers NOT_READY for settings with %s, and fetches again next time', async (_, change, pattern) => {
    const { cache: settings, fetched } = cache(() => ({ ...round.epochSettings, ...change }));
    const error: unknown = await settings.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(ErrorCode.ERROR_CODE_NOT_READY);
    expect((error as GatewayError).message).toMatch(pattern);
    await settings.current().catch(() => undefined);
    expect(fetched).toHaveLength(2);
  });
});
