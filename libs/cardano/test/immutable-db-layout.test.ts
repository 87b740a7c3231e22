import {
  IMMUTABLE_FILE_EXTENSIONS,
  MAX_IMMUTABLE_FILE_NAME_LENGTH,
  MAX_IMMUTABLE_FILE_NUMBER,
  immutableFileName,
  immutableFileNumberText,
  immutableFilesUpTo,
  immutableTrioFileNames,
  isCompleteTrio,
  isImmutableFileName,
  latestFinalImmutableFileNumber,
  listImmutableFiles,
  parseImmutableFileName,
} from '../src/index.js';
import { expectCardanoError } from './helpers.js';

const U64_MAX_TEXT = '18446744073709551615';
const trio = (text: string): string[] => [`${text}.chunk`, `${text}.primary`, `${text}.secondary`];

describe('immutable file names', () => {
  it('pads the number to at least five digits, as cardano-node names its files', () => {
    expect(immutableFileNumberText(0n)).toBe('00000');
    expect(immutableFileNumberText(42n)).toBe('00042');
    expect(immutableFileNumberText(99999n)).toBe('99999');
    expect(immutableFileNumberText(123456n)).toBe('123456');
    expect(immutableFileNumberText(MAX_IMMUTABLE_FILE_NUMBER)).toBe(U64_MAX_TEXT);
    expect(immutableFileName(42n, 'primary')).toBe('00042.primary');
    expect(immutableTrioFileNames(7n)).toEqual(['00007.chunk', '00007.primary', '00007.secondary']);
    expect(IMMUTABLE_FILE_EXTENSIONS).toEqual(['chunk', 'primary', 'secondary']);
  });

  it('refuses numbers outside the u64 range and unknown extensions', () => {
    expectCardanoError(() => immutableFileNumberText(-1n), 'INVALID_ARGUMENT', /u64/);
    expectCardanoError(() => immutableFileNumberText(MAX_IMMUTABLE_FILE_NUMBER + 1n), 'INVALID_ARGUMENT');
    expectCardanoError(() => immutableFileNumberText(1 as unknown as bigint), 'INVALID_ARGUMENT', /number/);
    expectCardanoError(() => immutableTrioFileNames(-5n), 'INVALID_ARGUMENT');
    expectCardanoError(() => immutableFileName(1n, 'ledger' as 'chunk'), 'INVALID_ARGUMENT', /extension/);
  });

  it('parses exactly the names it writes', () => {
    expect(parseImmutableFileName('00000.chunk')).toEqual({ number: 0n, extension: 'chunk' });
    expect(parseImmutableFileName('00042.secondary')).toEqual({ number: 42n, extension: 'secondary' });
    expect(parseImmutableFileName('123456.primary')).toEqual({ number: 123456n, extension: 'primary' });
    expect(parseImmutableFileName(`${U64_MAX_TEXT}.secondary`)).toEqual({ number: MAX_IMMUTABLE_FILE_NUMBER, extension: 'secondary' });
    expect(`${U64_MAX_TEXT}.secondary`.length).toBe(MAX_IMMUTABLE_FILE_NAME_LENGTH);
    for (const n of [0n, 9n, 99999n, 100000n, 2n ** 53n + 1n, MAX_IMMUTABLE_FILE_NUMBER]) {
      for (const extension of IMMUTABLE_FILE_EXTENSIONS) expect(parseImmutableFileName(immutableFileName(n, extension))).toEqual({ number: n, extension });
    }
  });

  it('refuses every other name', () => {
    const others = [
      '0000.chunk', // fewer than 5 digits
      '42.chunk',
      '000042.chunk', // a leading zero past 5 digits: not how the number is written
      '0000000000000000000001.chunk',
      '18446744073709551616.chunk', // u64 max + 1
      '99999999999999999999.chunk', // 20 digits above the u64 range
      '184467440737095516150.chunk', // 21 digits
      '00042.CHUNK',
      '00042.chunks',
      '00042.ledger',
      '00042',
      '.00042.chunk.123.tmp', // the devnet's temporary files
      '00042.chunk.tmp',
      ' 00042.chunk',
      '00042.chunk\n',
      '+0042.chunk',
      '-0042.chunk',
      '０００４２.chunk', // full-width digits
      '00042.primary/../x',
      'clean',
      '',
    ];
    for (const name of others) {
      expect([name, parseImmutableFileName(name)]).toEqual([name, undefined]);
      expect(isImmutableFileName(name)).toBe(false);
    }
    expect(isImmutableFileName(42)).toBe(false);
    expect(isImmutableFileName(undefined)).toBe(false);
    expect(parseImmutableFileName(null as unknown as string)).toBeUndefined();
  });

  it('refuses an absurdly long name without parsing it into a number', () => {
    const huge = `${'9'.repeat(10_000)}.chunk`;
    const bigInt = globalThis.BigInt;
    let conversions = 0;
    globalThis.BigInt = Object.assign((value: unknown) => {
      conversions += 1;
      return bigInt(value as string);
    }, bigInt) as BigIntConstructor;
    try {
      expect(parseImmutableFileName(huge)).toBeUndefined();
      expect(parseImmutableFileName(`${'0'.repeat(10_000)}1.chunk`)).toBeUndefined();
    } finally {
      globalThis.BigInt = bigInt;
    }
    expect(conversions).toBe(0);
  });
});

describe('listing an immutable directory', () => {
  it('groups the immutable files by number, ignoring other entries, and finds the chunk still being written', () => {
    const listing = listImmutableFiles([...trio('00000'), '00001.chunk', '00001.secondary', '000002.chunk', 'clean', 'protocolMagicId', '.00003.chunk.1.tmp']);
    expect([...listing.trios.keys()]).toEqual([0n, 1n]);
    expect([...(listing.trios.get(1n) ?? [])].sort()).toEqual(['chunk', 'secondary']);
    expect(listing.highest).toBe(1n);
    expect(isCompleteTrio(listing, 0n)).toBe(true);
    expect(isCompleteTrio(listing, 1n)).toBe(false);
    expect(isCompleteTrio(listing, 5n)).toBe(false);
    expect(listImmutableFiles([])).toEqual({ trios: new Map(), highest: undefined });
  });

  it('gives the latest final trio: complete and below the chunk still being written', () => {
    const latest = (entries: string[]) => latestFinalImmutableFileNumber(listImmutableFiles(entries));
    expect(latest([])).toBeUndefined();
    expect(latest(trio('00000'))).toBeUndefined(); // 00000 is the open chunk
    expect(latest([...trio('00000'), '00001.chunk'])).toBe(0n);
    expect(latest([...trio('00000'), ...trio('00001'), '00002.chunk', '00002.primary', ...trio('00003')])).toBe(1n); // 00002 lacks its .secondary
    expect(latest([...trio('00003'), ...trio('00004'), '00005.chunk'])).toBe(4n); // first chunks removed
    expect(latest([...trio('99999'), '100000.chunk'])).toBe(99999n); // by number, not by name
  });
});

describe('the files the digest up to a number covers', () => {
  const upTo = (entries: string[], n: bigint) => immutableFilesUpTo(listImmutableFiles(entries), n);

  it('lists every trio up to the number, by number then chunk < primary < secondary', () => {
    const entries = [...trio('00002'), ...trio('00000'), ...trio('00001'), ...trio('00003')].reverse();
    expect(upTo(entries, 2n)).toEqual({ ok: true, files: [...trio('00000'), ...trio('00001'), ...trio('00002')] });
    expect(upTo(entries, 0n)).toEqual({ ok: true, files: trio('00000') });
    // Numbers, not names, order the files: 100000 comes after 99999 although "1" < "9".
    expect(upTo([...trio('100000'), ...trio('99999'), ...trio('100001')], 100000n)).toEqual({ ok: true, files: [...trio('99999'), ...trio('100000')] });
  });

  it('digests what exists: a database starting later, or with whole numbers absent, covers its own trios', () => {
    const entries = [...trio('00003'), ...trio('00004'), ...trio('00006'), ...trio('00007')];
    expect(upTo(entries, 4n)).toEqual({ ok: true, files: [...trio('00003'), ...trio('00004')] });
    expect(upTo(entries, 6n)).toEqual({ ok: true, files: [...trio('00003'), ...trio('00004'), ...trio('00006')] });
  });

  it('refuses the chunk still being written and beyond', () => {
    const entries = [...trio('00000'), ...trio('00001')];
    expect(upTo(entries, 1n)).toEqual({ ok: false, reason: 'NOT_YET_IMMUTABLE' });
    expect(upTo(entries, 1000n)).toEqual({ ok: false, reason: 'NOT_YET_IMMUTABLE' });
    expect(upTo(entries, MAX_IMMUTABLE_FILE_NUMBER + 1n)).toEqual({ ok: false, reason: 'NOT_YET_IMMUTABLE' });
    expect(upTo([], 0n)).toEqual({ ok: false, reason: 'NOT_YET_IMMUTABLE' });
  });

  it('answers a huge number from the files on disk, without building a name per number', () => {
    const started = Date.now();
    expect(upTo([...trio('00000'), `${U64_MAX_TEXT}.chunk`], MAX_IMMUTABLE_FILE_NUMBER - 1n)).toEqual({
      ok: false,
      reason: 'MISSING_FILE',
      missing: '18446744073709551614.chunk',
    });
    expect(upTo([...trio('00000'), ...trio('00001')], MAX_IMMUTABLE_FILE_NUMBER)).toEqual({ ok: false, reason: 'NOT_YET_IMMUTABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('names the first missing file: of an incomplete trio, or of the number itself', () => {
    const entries = [...trio('00000'), '00001.chunk', '00001.secondary', ...trio('00002'), ...trio('00003')];
    expect(upTo(entries, 2n)).toEqual({ ok: false, reason: 'MISSING_FILE', missing: '00001.primary' });
    expect(upTo(entries, 0n)).toEqual({ ok: true, files: trio('00000') });
    const later = [...trio('00003'), ...trio('00004'), ...trio('00006'), ...trio('00007')];
    expect(upTo(later, 5n)).toEqual({ ok: false, reason: 'MISSING_FILE', missing: '00005.chunk' });
    expect(upTo(later, 1n)).toEqual({ ok: false, reason: 'MISSING_FILE', missing: '00001.chunk' });
  });

  it('refuses a number that is not a non-negative bigint', () => {
    const listing = listImmutableFiles(trio('00000'));
    expectCardanoError(() => immutableFilesUpTo(listing, -1n), 'INVALID_ARGUMENT');
    expectCardanoError(() => immutableFilesUpTo(listing, 1 as unknown as bigint), 'INVALID_ARGUMENT');
  });
});
