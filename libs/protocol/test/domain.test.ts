import fc from 'fast-check';
import {
  GenesisSigner,
  PROTOCOL_MESSAGE_PART_KEYS,
  ProtocolError,
  ProtocolMessage,
  ProtocolParametersSchedule,
  areProtocolVersionsCompatible,
  assertCompatibleProtocolVersion,
  cardanoDatabase,
  closeSignerSet,
  createGenesisPayload,
  epochProtocolMessage,
  epochSettings,
  protocolParametersHash,
  decodeGenesisSecretKey,
  decodeGenesisVerificationKey,
  encodeGenesisSecretKey,
  encodeGenesisVerificationKey,
  genesisPayloadFromJson,
  genesisPayloadToJson,
  formatTimestamp,
  genesisPayloadBytes,
  importGenesisSignature,
  mithrilStakeDistribution,
  nextSignersEpoch,
  parseTimestamp,
  parseVersion,
  phiFFixedPoint,
  previousCertificateFor,
  registrationRecordingEpoch,
  resolveEra,
  signedEntityFeed,
  signedEntityTypeFromJson,
  signedEntityTypeToJson,
  signedMessageBytes,
  signingSignersEpoch,
  timestampBytes,
  verifyGenesisSignature,
} from '../src/index.js';
import { KeyRegistration, SigningKey } from '@mithril-ts/stm';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const hex = (b: Uint8Array) => bytesToHex(b);

function code(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'none';
}

describe('epoch offsets', () => {
  it('registers into the next epoch, signs with the previous recording, announces the current one', () => {
    expect(registrationRecordingEpoch(10n)).toBe(11n);
    expect(signingSignersEpoch(10n)).toBe(9n);
    expect(signingSignersEpoch(0n)).toBeNull();
    expect(nextSignersEpoch(10n)).toBe(10n);
  });
});

describe('protocol parameters', () => {
  it('converts phi_f to U8F24 rounding to nearest, ties to even', () => {
    expect(phiFFixedPoint(0.2)).toBe(3355443); // 0.2 * 2^24 = 3355443.2
    expect(phiFFixedPoint(0.65)).toBe(10905190); // 10905190.4
    expect(phiFFixedPoint(1)).toBe(16777216);
    expect(phiFFixedPoint(2.5 / 2 ** 24)).toBe(2);
    expect(phiFFixedPoint(3.5 / 2 ** 24)).toBe(4);
    expect(phiFFixedPoint(3.5000001 / 2 ** 24)).toBe(4);
  });

  it('schedules a transition and announces current and next parameters', () => {
    const p1 = { k: 5n, m: 100n, phiF: 0.2 };
    const p2 = { k: 6n, m: 120n, phiF: 0.25 };
    const schedule = new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: p1 }]).withChange(3n, 5n, p2);
    expect(schedule.transition(3n)).toEqual({ current: p1, next: p1 });
    expect(schedule.transition(4n)).toEqual({ current: p1, next: p2 });
    expect(schedule.transition(5n)).toEqual({ current: p2, next: p2 });
    expect(code(() => schedule.withChange(3n, 4n, p2))).toBe('INVALID_PARAMETERS');
    expect(code(() => new ProtocolParametersSchedule([{ fromEpoch: 2n, parameters: p1 }]).at(1n))).toBe('INVALID_EPOCH');
    expect(code(() => new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 0n, m: 1n, phiF: 0.5 } }]))).toBe('INVALID_PARAMETERS');
  });
});

describe('signed entity types', () => {
  it('feeds the hash with big-endian beacons and round-trips the reference JSON', () => {
    expect(hex(signedEntityFeed(mithrilStakeDistribution(10n)))).toBe('000000000000000a');
    expect(hex(signedEntityFeed(cardanoDatabase(10n, 1728n)))).toBe('000000000000000a00000000000006c0');
    const db = cardanoDatabase(10n, 1728n);
    expect(signedEntityTypeToJson(db)).toEqual({ CardanoDatabase: { epoch: 10n, immutable_file_number: 1728n } });
    expect(signedEntityTypeFromJson({ CardanoDatabase: { epoch: 10, immutable_file_number: 1728 } })).toEqual(db);
    expect(signedEntityTypeFromJson({ MithrilStakeDistribution: 10 })).toEqual(mithrilStakeDistribution(10n));
  });

  it('rejects unknown or malformed variants', () => {
    for (const bad of [null, [], {}, { CardanoTransactions: 1 }, { MithrilStakeDistribution: -1 }, { CardanoDatabase: 5 }, { A: 1, B: 2 }]) {
      expect(code(() => signedEntityTypeFromJson(bad))).toBe('INVALID_SIGNED_ENTITY_TYPE');
    }
  });
});

describe('protocol message', () => {
  it('hashes parts in declaration order, whatever order they were set in', () => {
    const a = new ProtocolMessage().set('current_epoch', '12').set('next_protocol_parameters', 'pp').set('snapshot_digest', 'digest');
    const b = new ProtocolMessage({ snapshot_digest: 'digest', next_protocol_parameters: 'pp', current_epoch: '12' });
    expect(a.hash()).toBe(b.hash());
    expect(a.hash()).toBe(bytesToHex(sha256(new TextEncoder().encode('snapshot_digestdigestnext_protocol_parametersppcurrent_epoch12'))));
    expect(a.entries().map(([key]) => key)).toEqual(['snapshot_digest', 'next_protocol_parameters', 'current_epoch']);
    expect(PROTOCOL_MESSAGE_PART_KEYS.indexOf('next_aggregate_verification_key')).toBeLessThan(PROTOCOL_MESSAGE_PART_KEYS.indexOf('current_epoch'));
    expect(new TextDecoder().decode(signedMessageBytes(a.signedMessage()))).toBe(a.hash());
  });

  it('refuses unknown parts and non-ASCII values', () => {
    expect(code(() => new ProtocolMessage().set('unknown', 'x'))).toBe('INVALID_PROTOCOL_MESSAGE');
    expect(code(() => new ProtocolMessage().set('current_epoch', 'é'))).toBe('INVALID_PROTOCOL_MESSAGE');
    expect(code(() => signedMessageBytes('ABC'))).toBe('INVALID_PROTOCOL_MESSAGE');
  });
});

describe('timestamps with nanoseconds', () => {
  it('parses and formats RFC 3339 exactly', () => {
    const t = parseTimestamp('2024-02-12T13:11:47.123456789Z');
    expect(t).toBe(1707743507123456789n);
    expect(formatTimestamp(t)).toBe('2024-02-12T13:11:47.123456789Z');
    expect(formatTimestamp(parseTimestamp('2024-02-12T13:11:47Z'))).toBe('2024-02-12T13:11:47Z');
    expect(formatTimestamp(parseTimestamp('2024-02-12T13:11:47.1Z'))).toBe('2024-02-12T13:11:47.100Z');
    expect(parseTimestamp('2024-02-12T15:11:47.5+02:00')).toBe(parseTimestamp('2024-02-12T13:11:47.5Z'));
    expect(hex(timestampBytes(1n))).toBe('0000000000000001');
    expect(formatTimestamp(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });

  it('round-trips any nanosecond timestamp (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (t) => expect(parseTimestamp(formatTimestamp(t))).toBe(t)),
      { numRuns: 300 },
    );
  });

  it('rejects malformed dates', () => {
    for (const bad of ['', '2024-02-30T00:00:00Z', '2024-02-12 13:11:47Z', '2024-02-12T25:00:00Z', '2024-02-12T13:11:47.1234567891Z']) {
      expect(code(() => parseTimestamp(bad))).toBe('INVALID_TIMESTAMP');
    }
  });
});

describe('versions and eras', () => {
  it('applies the compatibility rule', () => {
    expect(areProtocolVersionsCompatible(parseVersion('0.1.0'), parseVersion('0.1.7'))).toBe(true);
    expect(areProtocolVersionsCompatible(parseVersion('0.1.0'), parseVersion('0.2.0'))).toBe(false);
    expect(areProtocolVersionsCompatible(parseVersion('1.2.0'), parseVersion('1.9.3'))).toBe(true);
    expect(areProtocolVersionsCompatible(parseVersion('1.2.0'), parseVersion('2.0.0'))).toBe(false);
    expect(() => assertCompatibleProtocolVersion('0.1.3', '0.1.0')).not.toThrow();
    expect(code(() => assertCompatibleProtocolVersion('0.2.0', '0.1.0'))).toBe('INCOMPATIBLE_VERSION');
    expect(code(() => assertCompatibleProtocolVersion('latest'))).toBe('INVALID_VERSION');
  });

  it('resolves the active era and the next one', () => {
    const markers = [
      { name: 'pythagoras', epoch: 1n },
      { name: 'lagrange', epoch: 50n },
    ];
    expect(resolveEra(markers, 10n)).toEqual({ current: 'pythagoras', since: 1n, next: { name: 'lagrange', epoch: 50n, supported: false } });
    expect(code(() => resolveEra(markers, 50n))).toBe('UNSUPPORTED_ERA');
    expect(code(() => resolveEra([{ name: 'pythagoras' }], 3n))).toBe('UNSUPPORTED_ERA');
  });
});

describe('genesis ceremony', () => {
  const params = { k: 2n, m: 10n, phiF: 0.9 };
  const registration = new KeyRegistration();
  registration.register(5n, SigningKey.generate(sha256(new TextEncoder().encode('g'))).verificationKeyPoP());
  const avk = registration.close().aggregateVerificationKey();
  const payload = createGenesisPayload({ network: 'devnet', epoch: 4n, parameters: params, nextParameters: params, avk, timestamp: 1n });

  it('exports a payload, signs it offline and imports the signature', () => {
    const signer = GenesisSigner.fromSecretKey(new Uint8Array(32).fill(9));
    const payloadFile = genesisPayloadBytes(payload); // what the offline machine receives
    const signature = signer.sign(payloadFile);
    expect(verifyGenesisSignature(signer.verificationKey(), payloadFile, signature)).toBe(true);
    const genesis = importGenesisSignature(payload, signature, signer.verificationKey());
    expect(genesis.previousHash).toBe('');
    expect(genesis.metadata.signers).toEqual([]);
    expect(genesis.protocolMessage.get('current_epoch')).toBe('4');
    expect(code(() => importGenesisSignature(payload, signature, GenesisSigner.generate().verificationKey()))).toBe('INVALID_GENESIS_SIGNATURE');
  });

  it('reads genesis verification keys as json-hex or hex, and rejects others', () => {
    // RFC 8032 test 1 public key.
    const vk = Uint8Array.from(Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex'));
    const jsonHex = encodeGenesisVerificationKey(vk);
    expect(Buffer.from(jsonHex, 'hex').toString()).toBe(`[${[...vk].join(',')}]`);
    expect(decodeGenesisVerificationKey(jsonHex)).toEqual(vk);
    expect(decodeGenesisVerificationKey(hex(vk))).toEqual(vk);
    expect(code(() => decodeGenesisVerificationKey('abcd'))).toBe('INVALID_GENESIS_KEY');
    expect(code(() => decodeGenesisVerificationKey('zz'))).toBe('INVALID_GENESIS_KEY');
  });

  it('reads genesis secret keys as json-hex or hex, and rejects others', () => {
    const sk = new Uint8Array(32).map((_, i) => i);
    const jsonHex = encodeGenesisSecretKey(sk);
    expect(Buffer.from(jsonHex, 'hex').toString()).toBe(`[${[...sk].join(',')}]`);
    expect(decodeGenesisSecretKey(jsonHex)).toEqual(sk);
    expect(decodeGenesisSecretKey(hex(sk))).toEqual(sk);
    expect(code(() => decodeGenesisSecretKey('abcd'))).toBe('INVALID_GENESIS_KEY');
    expect(code(() => decodeGenesisSecretKey(encodeGenesisSecretKey(new Uint8Array(31))))).toBe('INVALID_GENESIS_KEY');
    expect(() => decodeGenesisSecretKey('zz')).toThrow(/not a genesis secret key/);
  });

  it('writes the payload file and rebuilds the payload from it, recomputing the signed message', () => {
    const text = genesisPayloadToJson(payload);
    expect(text.endsWith('\n')).toBe(true);
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(file).toMatchObject({ network: 'devnet', epoch: 4, protocol_parameters: { k: 2, m: 10, phi_f: 0.9 }, signed_message: payload.signedMessage });
    const read = genesisPayloadFromJson(text);
    expect(read.signedMessage).toBe(payload.signedMessage);
    expect(read.inputs).toEqual(payload.inputs);
    // The signed message is recomputed: one that does not follow from the content is refused, an absent one is not needed.
    expect(code(() => genesisPayloadFromJson(JSON.stringify({ ...file, signed_message: 'f'.repeat(64) })))).toBe('INVALID_GENESIS_PAYLOAD');
    expect(code(() => genesisPayloadFromJson(JSON.stringify({ ...file, epoch: 5 })))).toBe('INVALID_GENESIS_PAYLOAD');
    const { signed_message: _, ...unsigned } = file;
    expect(genesisPayloadFromJson(JSON.stringify(unsigned)).signedMessage).toBe(payload.signedMessage);
    expect(() => genesisPayloadFromJson('[]')).toThrow(/not a genesis payload/);
    expect(code(() => genesisPayloadFromJson(' '.repeat(1024 * 1024 + 1)))).toBe('INVALID_GENESIS_PAYLOAD');
  });

  it('matches the RFC 8032 Ed25519 known answer (test 1)', () => {
    const signer = GenesisSigner.fromSecretKey(Uint8Array.from(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')));
    expect(hex(signer.verificationKey())).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(hex(signer.sign(new Uint8Array(0)))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });
});

describe('master certificate selection', () => {
  it('links to the first certificate of the epoch, else of the previous one, else reports a gap', () => {
    const chain = [
      { hash: 'g', epoch: 2n },
      { hash: 'a', epoch: 3n },
      { hash: 'b', epoch: 3n },
      { hash: 'c', epoch: 4n },
    ];
    expect(previousCertificateFor(chain, 3n)).toBe('a');
    expect(previousCertificateFor(chain, 5n)).toBe('c');
    expect(previousCertificateFor(chain.slice(0, 1), 3n)).toBe('g');
    expect(previousCertificateFor(chain, 7n)).toBeNull();
  });
});

describe('epoch settings', () => {
  const params = { k: 2n, m: 20n, phiF: 0.9 };
  const schedule = new ProtocolParametersSchedule([
    { fromEpoch: 0n, parameters: params },
    { fromEpoch: 6n, parameters: { ...params, k: 3n } },
  ]);
  const record = (label: string, stake: bigint) => ({
    partyId: label,
    verificationKey: SigningKey.generate(sha256(new TextEncoder().encode(label)))
      .verificationKeyPoP()
      .toBytes(),
    stake,
  });
  const recorded = new Map([
    [4n, [record('pool-a', 10n), record('pool-b', 20n)]],
    [5n, [record('pool-a5', 11n), record('pool-b5', 19n)]],
  ]);

  it('takes the signers recorded for the previous epoch as current and the current recording as next', () => {
    const settings = epochSettings(5n, schedule, (e) => recorded.get(e) ?? []);
    expect(settings.currentSigners!.signers.map((s) => s.partyId)).toEqual(['pool-a', 'pool-b']);
    expect(settings.nextSigners!.signers.map((s) => s.partyId)).toEqual(['pool-a5', 'pool-b5']);
    expect(settings.currentParameters.k).toBe(2n);
    expect(settings.nextParameters.k).toBe(3n);
    expect(settings.currentSigners!.avk.totalStake).toBe(30n);
    expect(settings.currentSigners!.partyIdOf(0)).toBe('pool-a'); // ordered by stake
    const message = epochProtocolMessage(settings);
    expect(message.get('current_epoch')).toBe('5');
    expect(message.get('next_protocol_parameters')).toBe(protocolParametersHash({ ...params, k: 3n }));
  });

  it('has no signers before any recording, and cannot seed a message without next signers', () => {
    const settings = epochSettings(3n, schedule, (e) => recorded.get(e) ?? []);
    expect(settings.currentSigners).toBeUndefined();
    expect(code(() => epochProtocolMessage(settings))).toBe('INVALID_SIGNER');
  });

  it('rejects a recorded key that is malformed, repeated or without a valid proof of possession', () => {
    const good = record('pool-x', 5n);
    expect(code(() => closeSignerSet([{ ...good, verificationKey: new Uint8Array(192) }]))).toBe('INVALID_SIGNER');
    expect(code(() => closeSignerSet([good, { ...good, partyId: 'pool-y' }]))).toBe('INVALID_SIGNER');
    const other = record('pool-z', 5n);
    const swapped = Uint8Array.from([...good.verificationKey.subarray(0, 96), ...other.verificationKey.subarray(96)]);
    expect(code(() => closeSignerSet([{ ...good, verificationKey: swapped }]))).toBe('INVALID_SIGNER');
    expect(code(() => closeSignerSet([]))).toBe('INVALID_SIGNER');
  });
});
