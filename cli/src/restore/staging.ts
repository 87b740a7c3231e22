/**
 * Where a restore is assembled before it becomes visible. Files are gathered and verified in a
 * staging directory beside their final place, then moved there with renames; until that moment
 * the target is untouched, and a failure removes the staging directory. Partial downloads live
 * in a separate work directory (beside the target too) so that a later run can resume them.
 *
 * Fresh restore: `<parent>/.<name>.mithril-staging-XXXX/immutable/…` becomes `<target>` with one rename.
 * Into an existing database (`--from-existing`): `<target>/.mithril-staging-XXXX/immutable/`
 * replaces `<target>/immutable/` (the old directory is moved aside, then removed), and the rest of
 * the database directory (ledger, volatile) is left as it is.
 */
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors.js';

export type StagingMode = 'fresh' | 'from-existing';

async function kindOf(path: string): Promise<'missing' | 'directory' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/** Partial and complete downloads of one snapshot, kept between runs until a restore succeeds. */
export function workDirectoryFor(target: string, snapshotHash: string): string {
  const absolute = resolve(target);
  return join(dirname(absolute), `.${basename(absolute)}.mithril-downloads`, snapshotHash);
}

export async function removeWorkDirectory(workDirectory: string): Promise<void> {
  await rm(workDirectory, { recursive: true, force: true });
  await rmdir(dirname(workDirectory)).catch(() => undefined); // only when no other snapshot's downloads remain
}

export class Staging {
  private constructor(
    readonly mode: StagingMode,
    readonly target: string,
    /** The staging root: scratch space for extraction lives here too. */
    readonly root: string,
    /** The outermost directory created for the target's parent, if any (removed again on failure when empty). */
    private readonly createdParent?: string,
  ) {}

  /** Where the restored immutable files are gathered. */
  get immutableDirectory(): string {
    return join(this.root, 'immutable');
  }

  /** The immutable directory of the existing database (from-existing mode). */
  get existingImmutableDirectory(): string {
    return join(this.target, 'immutable');
  }

  /**
   * `fromExisting` reuses an existing database directory; without it the target must not exist
   * (or be an empty directory), so nothing of the user's is ever overwritten by surprise.
   */
  static async prepare(target: string, fromExisting: boolean): Promise<Staging> {
    const absolute = resolve(target);
    const kind = await kindOf(absolute);
    if (kind === 'other') throw new CliError('usage', `the target ${absolute} exists and is not a directory`, { reason: 'TARGET_NOT_A_DIRECTORY' });
    if (fromExisting && kind === 'directory') {
      const root = await mkdtemp(join(absolute, '.mithril-staging-'));
      await mkdir(join(root, 'immutable'));
      return new Staging('from-existing', absolute, root);
    }
    if (kind === 'directory' && (await readdir(absolute)).length > 0) {
      throw new CliError('usage', `the target ${absolute} already exists and is not empty: choose another target, or restore into it with --from-existing`, {
        reason: 'TARGET_EXISTS',
      });
    }
    const createdParent = await mkdir(dirname(absolute), { recursive: true });
    const root = await mkdtemp(join(dirname(absolute), `.${basename(absolute)}.mithril-staging-`));
    await mkdir(join(root, 'immutable'));
    return new Staging('fresh', absolute, root, createdParent);
  }

  /** Makes the verified files visible at the target. */
  async commit(): Promise<void> {
    if (this.mode === 'fresh') {
      if ((await kindOf(this.target)) === 'directory') await rmdir(this.target); // empty, checked at prepare; fails if something appeared since
      await rename(this.root, this.target);
      return;
    }
    const current = this.existingImmutableDirectory;
    const aside = join(this.target, `.immutable.mithril-old-${randomBytes(4).toString('hex')}`);
    const hadImmutable = (await kindOf(current)) !== 'missing';
    if (hadImmutable) await rename(current, aside);
    try {
      await rename(this.immutableDirectory, current);
    } catch (error) {
      if (hadImmutable) await rename(aside, current);
      throw error;
    }
    await rm(aside, { recursive: true, force: true });
    await rm(this.root, { recursive: true, force: true });
  }

  /** Removes the staging directory, and the parent directories created for it if nothing else is in them. */
  async abort(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    if (this.createdParent === undefined || (await kindOf(this.target)) !== 'missing') return;
    for (let directory = dirname(this.target); directory.startsWith(this.createdParent); directory = dirname(directory)) {
      try {
        await rmdir(directory); // fails while partial downloads are kept there: they stay for the next run
      } catch {
        return;
      }
    }
  }
}
