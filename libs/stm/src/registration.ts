/**
 * Key registration: signers' (verification key + PoP, stake) pairs are collected for an epoch,
 * their PoPs checked, and the registration is closed into a Merkle commitment whose root, leaf
 * count and total stake form the aggregate verification key (AVK).
 */
import { StmError } from './errors.js';
import { MerkleTree, type MerkleCommitment } from './merkle.js';
import { type VerificationKey, findInvalidProofsOfPossession, verifyProofsOfPossession, type VerificationKeyPoP } from './keys.js';
import { compareBytes, u64be } from './bytes.js';

/** A registered signer as committed in the Merkle tree (the reference's closed registration entry). */
export interface RegisteredParty {
  readonly vk: VerificationKey;
  readonly stake: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/** Leaf bytes: vk (96) ‖ stake (u64 big-endian). */
export function partyLeaf(party: RegisteredParty): Uint8Array {
  const leaf = new Uint8Array(104);
  leaf.set(party.vk.toBytes(), 0);
  leaf.set(u64be(party.stake), 96);
  return leaf;
}

/** The aggregate verification key: Merkle commitment to the registered parties and their total stake. */
export interface AggregateVerificationKey {
  readonly commitment: MerkleCommitment;
  readonly totalStake: bigint;
}

export interface RegistrationCandidate {
  readonly stake: bigint;
  readonly key: VerificationKeyPoP;
}

export class KeyRegistration {
  private readonly parties = new Map<string, RegisteredParty>();

  /** Registers one key after checking its PoP on its own. */
  register(stake: bigint, key: VerificationKeyPoP): void {
    this.checkCandidate(stake, key);
    if (!verifyProofsOfPossession([key])) {
      throw new StmError('INVALID_PROOF_OF_POSSESSION', 'the proof of possession does not verify for this key');
    }
    this.insert(stake, key);
  }

  /**
   * Registers many keys with one batched PoP check. Keys whose PoP fails are isolated by
   * bisection and reported; every other key is registered. Returns the positions rejected.
   */
  registerAll(candidates: readonly RegistrationCandidate[]): { rejected: { position: number; error: StmError }[] } {
    const rejected: { position: number; error: StmError }[] = [];
    const wellFormed: { position: number; candidate: RegistrationCandidate }[] = [];
    const seen = new Set<string>();
    candidates.forEach((candidate, position) => {
      try {
        this.checkCandidate(candidate.stake, candidate.key);
        const id = keyId(candidate.key.vk);
        if (seen.has(id)) throw new StmError('DUPLICATE_KEY', 'verification key submitted twice in this batch');
        seen.add(id);
        wellFormed.push({ position, candidate });
      } catch (error) {
        if (!(error instanceof StmError)) throw error;
        rejected.push({ position, error });
      }
    });
    const invalid = new Set(findInvalidProofsOfPossession(wellFormed.map((entry) => entry.candidate.key)));
    wellFormed.forEach((entry, i) => {
      if (invalid.has(i)) {
        rejected.push({
          position: entry.position,
          error: new StmError('INVALID_PROOF_OF_POSSESSION', 'the proof of possession does not verify for this key'),
        });
      } else {
        this.insert(entry.candidate.stake, entry.candidate.key);
      }
    });
    rejected.sort((a, b) => a.position - b.position);
    return { rejected };
  }

  get size(): number {
    return this.parties.size;
  }

  close(): ClosedRegistration {
    return new ClosedRegistration([...this.parties.values()]);
  }

  private checkCandidate(stake: bigint, key: VerificationKeyPoP): void {
    if (typeof stake !== 'bigint' || stake < 0n || stake > U64_MAX) {
      throw new StmError('INVALID_STAKE', `stake must be a u64, got ${String(stake)}`);
    }
    if (this.parties.has(keyId(key.vk))) throw new StmError('DUPLICATE_KEY', 'this verification key is already registered');
  }

  private insert(stake: bigint, key: VerificationKeyPoP): void {
    this.parties.set(keyId(key.vk), { vk: key.vk, stake });
  }
}

function keyId(vk: VerificationKey): string {
  return Buffer.from(vk.toBytes()).toString('hex');
}

/** A closed registration: parties ordered by (stake, vk bytes), committed by a Merkle tree. */
export class ClosedRegistration {
  readonly parties: readonly RegisteredParty[];
  readonly totalStake: bigint;
  readonly tree: MerkleTree;
  private readonly indexByKey = new Map<string, number>();

  constructor(parties: readonly RegisteredParty[]) {
    if (parties.length === 0) throw new StmError('EMPTY_REGISTRATION', 'cannot close a registration with no signer');
    this.parties = [...parties].sort((a, b) => (a.stake !== b.stake ? (a.stake < b.stake ? -1 : 1) : compareBytes(a.vk.toBytes(), b.vk.toBytes())));
    let total = 0n;
    this.parties.forEach((party, index) => {
      total += party.stake;
      this.indexByKey.set(keyId(party.vk), index);
    });
    if (total > U64_MAX) throw new StmError('INVALID_STAKE', 'total stake overflows a u64');
    if (total === 0n) throw new StmError('INVALID_STAKE', 'total stake is zero');
    this.totalStake = total;
    this.tree = new MerkleTree(this.parties.map(partyLeaf));
  }

  aggregateVerificationKey(): AggregateVerificationKey {
    return { commitment: this.tree.commitment(), totalStake: this.totalStake };
  }

  signerIndexOf(vk: VerificationKey): number | undefined {
    return this.indexByKey.get(keyId(vk));
  }

  party(signerIndex: number): RegisteredParty {
    const party = Number.isInteger(signerIndex) ? this.parties[signerIndex] : undefined;
    if (party === undefined) throw new StmError('UNKNOWN_SIGNER', `no registered signer with index ${signerIndex}`);
    return party;
  }
}
