/**
 * Test doubles of the signer's ports, sharing one small "network": a chain whose epoch the test
 * moves, an aggregator that announces what the gateway recorded (with the reference's epoch
 * offsets), a gateway that checks registrations like a certifier would (opcert, pool id, KES
 * signature at the claimed evolution, stake) and single signatures like an aggregator would
 * (Clerk, against the message the test computes itself), and a digester of a fake immutable DB.
 * Pool keys are real: a devnet root's key files, read by the production PoolKeyFiles.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operationalCertificateFromCbor, poolIdFromColdVerificationKey, verifyKesSignature, type ChainTip } from '@mithril-ts/cardano';
import { Devnet, type DevnetPoolInfo } from '@mithril-ts/devnet';
import { ErrorCode } from '@mithril-ts/proto';
import {
  PROTOCOL_VERSION,
  closeSignerSet,
  signedEntityProtocolMessage,
  signedMessageBytes,
  type Epoch,
  type EpochSettings,
  type ProtocolParameters,
  type SignedEntityType,
  type SignerRecord,
  type SignerSet,
} from '@mithril-ts/protocol';
import { Clerk, singleSignatureFromBytes, type SingleSignature } from '@mithril-ts/stm';
import {
  PoolKeyFiles,
  RemoteCallError,
  SignerRuntime,
  openSignerStore,
  type AggregatorPort,
  type AnnouncedEpochSettings,
  type Answer,
  type ChainObserver,
  type EraCheck,
  type ImmutableDigester,
  type OpenedSignerStore,
  type RegisteredSigner,
  type SignatureRegistrationStatus,
  type SignerEvent,
  type SignerGatewayPort,
  type SignerRegistrationRequest,
  type SingleSignatureSubmission,
} from '../src/index.js';

export const PARAMETERS: ProtocolParameters = { k: 5n, m: 50n, phiF: 0.9 };
export const SLOTS_PER_EPOCH = 100n;
export const SLOTS_PER_KES_PERIOD = 50n;

const roots: string[] = [];
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), label));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

let devnet: Promise<Devnet> | undefined;
/** One devnet root (4 pools' key files) per test file: deriving KES keys is not free. */
export function devnetPools(): Promise<readonly DevnetPoolInfo[]> {
  devnet ??= Devnet.create(tempDir('signer-devnet-'), { pools: 4, slotsPerEpoch: Number(SLOTS_PER_EPOCH), slotsPerKesPeriod: Number(SLOTS_PER_KES_PERIOD) });
  return devnet.then((d) => d.pools);
}

export class FakeChain implements ChainObserver {
  epoch: Epoch = 1n;
  syncProgress: number | undefined = 100;
  /** Stake per pool id hex, the same every epoch unless overridden. */
  readonly stakes = new Map<string, bigint>();
  stakeOverrides = new Map<Epoch, Map<string, bigint>>();

  get slot(): bigint {
    return this.epoch * SLOTS_PER_EPOCH + 10n;
  }

  async currentTip(): Promise<ChainTip> {
    return { epoch: this.epoch, slot: this.slot, block: undefined, hash: undefined, era: 'Conway', syncProgress: this.syncProgress };
  }

  async stakeDistribution(epoch: bigint): Promise<ReadonlyMap<string, bigint> | undefined> {
    if (epoch > this.epoch) return undefined;
    return this.stakeOverrides.get(epoch) ?? this.stakes;
  }
}

export class FakeDigester implements ImmutableDigester {
  latest: bigint | undefined = 10n;

  static root(upTo: bigint): string {
    return createHash('sha256').update(`immutable files up to ${upTo}`).digest('hex');
  }

  async latestImmutableFileNumber(): Promise<bigint | undefined> {
    return this.latest;
  }

  async cardanoDatabaseMerkleRoot(upTo: bigint): Promise<string> {
    if (this.latest === undefined || upTo > this.latest) throw new Error(`immutable file ${upTo} is not final`);
    return FakeDigester.root(upTo);
  }
}

export interface ReceivedSignature {
  readonly submission: SingleSignatureSubmission;
  readonly signature: SingleSignature;
}

/** What the aggregator double decides to answer (besides the honest settings). */
export type SettingsTamper = (settings: AnnouncedEpochSettings) => AnnouncedEpochSettings;
/** What the gateway double answers a signature with; undefined = verify it and accept. */
export type SignatureScript = (submission: SingleSignatureSubmission, attempt: number) => SignatureRegistrationStatus | RemoteCallError | undefined;

const noOpenMessage = () =>
  new RemoteCallError(
    'SignerGatewayService.RegisterSignature',
    'rejected',
    'ERROR_CODE_NO_OPEN_MESSAGE: not open yet',
    ErrorCode.ERROR_CODE_NO_OPEN_MESSAGE,
    5,
  );
const tooLate = () =>
  new RemoteCallError(
    'SignerGatewayService.RegisterSignature',
    'rejected',
    'ERROR_CODE_SIGNATURE_TOO_LATE: already certified',
    ErrorCode.ERROR_CODE_SIGNATURE_TOO_LATE,
    9,
  );
export const gatewayErrors = { noOpenMessage, tooLate };

/** The aggregator and signer gateway doubles over one registry of recorded signers. */
export class FakeNetwork implements AggregatorPort, SignerGatewayPort {
  /** Recording epoch → party → signer. */
  readonly recorded = new Map<Epoch, Map<string, SignerRecord>>();
  readonly registrations: SignerRegistrationRequest[] = [];
  readonly signatures: ReceivedSignature[] = [];
  readonly signatureAttempts: SingleSignatureSubmission[] = [];
  /** The aggregator's epoch; follows the chain unless set. */
  aggregatorEpoch: Epoch | undefined;
  aggregatorReady = true;
  aggregatorVersion: string | undefined = PROTOCOL_VERSION;
  gatewayVersion: string | undefined = PROTOCOL_VERSION;
  parametersOf: (epoch: Epoch) => ProtocolParameters = () => PARAMETERS;
  tamper: SettingsTamper | undefined;
  signatureScript: SignatureScript | undefined;
  epochSettingsCalls = 0;

  constructor(readonly chain: FakeChain) {}

  get epoch(): Epoch {
    return this.aggregatorEpoch ?? this.chain.epoch;
  }

  signersRecordedFor(epoch: Epoch): SignerRecord[] {
    return [...(this.recorded.get(epoch)?.values() ?? [])].sort((a, b) => a.partyId.localeCompare(b.partyId));
  }

  /** The honest settings of `epoch`, as the aggregator announces them. */
  honestSettings(epoch: Epoch): AnnouncedEpochSettings {
    return {
      epoch,
      currentParameters: this.parametersOf(epoch),
      nextParameters: this.parametersOf(epoch + 1n),
      registrationParameters: this.parametersOf(epoch + 2n),
      currentSigners: epoch >= 1n ? this.signersRecordedFor(epoch - 1n) : [],
      nextSigners: this.signersRecordedFor(epoch),
    };
  }

  /** What the test itself computes for a signed entity (never read from the signer). */
  expectedSignedMessage(type: SignedEntityType, announced: AnnouncedEpochSettings = this.honestSettings(type.epoch)): string {
    const settings = protocolSettings(announced);
    const data = type.kind === 'CardanoDatabase' ? { cardanoDatabaseMerkleRoot: FakeDigester.root(type.immutableFileNumber) } : {};
    return signedEntityProtocolMessage(settings, type, data).signedMessage();
  }

  async epochSettings(): Promise<Answer<AnnouncedEpochSettings>> {
    this.epochSettingsCalls += 1;
    if (!this.aggregatorReady)
      throw new RemoteCallError('AggregatorService.GetEpochSettings', 'not-ready', 'ERROR_CODE_NOT_READY: no epoch yet', ErrorCode.ERROR_CODE_NOT_READY, 14);
    const honest = this.honestSettings(this.epoch);
    return { value: this.tamper ? this.tamper(honest) : honest, serverProtocolVersion: this.aggregatorVersion };
  }

  async registerSigner(registration: SignerRegistrationRequest): Promise<Answer<RegisteredSigner>> {
    this.registrations.push(registration);
    const refuse = (message: string) =>
      new RemoteCallError('SignerGatewayService.RegisterSigner', 'rejected', message, ErrorCode.ERROR_CODE_CERTIFICATION_DENIED, 7);
    if (registration.epoch !== this.epoch) {
      throw new RemoteCallError('SignerGatewayService.RegisterSigner', 'rejected', 'round not open', ErrorCode.ERROR_CODE_REGISTRATION_ROUND_NOT_OPEN, 9);
    }
    const opcert = operationalCertificateFromCbor(registration.operationalCertificate);
    if (poolIdFromColdVerificationKey(opcert.coldVerificationKey).bech32 !== registration.partyId) throw refuse('pool id');
    if (!verifyKesSignature(opcert.kesVerificationKey, registration.kesEvolutions, registration.verificationKey, registration.verificationKeySignature))
      throw refuse('kes signature');
    const stake = (await this.chain.stakeDistribution(registration.epoch))?.get(poolIdFromColdVerificationKey(opcert.coldVerificationKey).hex) ?? 0n;
    if (stake === 0n) throw refuse('no stake');
    this.record(registration.epoch + 1n, { partyId: registration.partyId, verificationKey: registration.verificationKey, stake });
    return { value: { partyId: registration.partyId, stake, epoch: registration.epoch }, serverProtocolVersion: this.gatewayVersion };
  }

  record(recordingEpoch: Epoch, signer: SignerRecord): void {
    let signers = this.recorded.get(recordingEpoch);
    if (signers === undefined) this.recorded.set(recordingEpoch, (signers = new Map()));
    signers.set(signer.partyId, signer);
  }

  async registerSignature(submission: SingleSignatureSubmission): Promise<Answer<SignatureRegistrationStatus>> {
    this.signatureAttempts.push(submission);
    const attempt = this.signatureAttempts.filter((s) => s.signedMessage === submission.signedMessage && s.partyId === submission.partyId).length;
    const scripted = this.signatureScript?.(submission, attempt);
    if (scripted instanceof RemoteCallError) throw scripted;
    const signature = singleSignatureFromBytes(submission.signature);
    this.signatures.push({ submission, signature });
    return { value: scripted ?? 'accepted', serverProtocolVersion: this.gatewayVersion };
  }

  /** The signatures received for a signed entity. */
  received(type: SignedEntityType): ReceivedSignature[] {
    return this.signatures.filter(({ submission }) => JSON.stringify(submission.signedEntityType, bigintJson) === JSON.stringify(type, bigintJson));
  }

  /** A Clerk for the signers of `epoch` (recorded for epoch − 1) with the epoch's parameters. */
  clerk(epoch: Epoch): Clerk {
    return new Clerk(closeSigners(this.signersRecordedFor(epoch - 1n)).closed, this.parametersOf(epoch));
  }

  /** Throws unless the signature verifies on `signedMessage` for the signers of `epoch`. */
  verify(received: ReceivedSignature, epoch: Epoch, signedMessage: string): void {
    this.clerk(epoch).verifySingleSignature(received.signature, signedMessageBytes(signedMessage));
  }
}

export const bigintJson = (_: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

const closedSets = new Map<string, SignerSet>();
/** The test's own closing of a signer set (cached: PoP checks are slow). */
export function closeSigners(signers: readonly SignerRecord[]): SignerSet {
  const key = JSON.stringify(signers.map((s) => [s.partyId, Buffer.from(s.verificationKey).toString('hex'), `${s.stake}`]));
  let set = closedSets.get(key);
  if (set === undefined) closedSets.set(key, (set = closeSignerSet(signers)));
  return set;
}

export function protocolSettings(announced: AnnouncedEpochSettings): EpochSettings {
  return {
    epoch: announced.epoch,
    currentParameters: announced.currentParameters,
    nextParameters: announced.nextParameters,
    currentSigners: announced.currentSigners.length > 0 ? closeSigners(announced.currentSigners) : undefined,
    nextSigners: announced.nextSigners.length > 0 ? closeSigners(announced.nextSigners) : undefined,
  };
}

/** A signer runtime for one devnet pool over the shared doubles, with its own store. */
export interface PoolSigner {
  readonly pool: DevnetPoolInfo;
  readonly runtime: SignerRuntime;
  readonly store: OpenedSignerStore;
  readonly storeUrl: string;
  readonly events: SignerEvent[];
}

export async function poolSigner(
  pool: DevnetPoolInfo,
  network: FakeNetwork,
  digester: FakeDigester,
  options: { readonly storeUrl?: string; readonly minSyncProgress?: number; readonly era?: EraCheck } = {},
): Promise<PoolSigner> {
  const storeUrl = options.storeUrl ?? `file:${join(tempDir('signer-store-'), 'signer.sqlite3')}`;
  const store = await openSignerStore({ url: storeUrl });
  const runtime = new SignerRuntime({
    chain: network.chain,
    aggregator: network,
    gateway: network,
    digester,
    poolKeys: new PoolKeyFiles(pool.keysDirectory),
    store: store.store,
    slotsPerKesPeriod: SLOTS_PER_KES_PERIOD,
    ...(options.minSyncProgress !== undefined ? { minSyncProgress: options.minSyncProgress } : {}),
    ...(options.era !== undefined ? { era: options.era } : {}),
  });
  const events: SignerEvent[] = [];
  runtime.onEvent((event) => events.push(event));
  return { pool, runtime, store, storeUrl, events };
}
