/** The hand-written barrels re-export every generated file, so no contract is left unreachable. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as proto from '../src/index.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('barrels', () => {
  it('src/v1.ts re-exports every file generated for mithril.v1', () => {
    const generated = readdirSync(join(SRC, 'gen', 'mithril', 'v1'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `export * from './gen/mithril/v1/${file.replace(/\.ts$/, '.js')}';`);
    const barrel = readFileSync(join(SRC, 'v1.ts'), 'utf8');
    expect(generated.filter((line) => !barrel.includes(line))).toEqual([]);
  });

  it('the package root exports v1 flat and as `v1`, with the well-known types it uses', () => {
    expect(proto.v1.Certificate).toBe(proto.Certificate);
    expect(proto.v1.AggregatorServiceService).toBe(proto.AggregatorServiceService);
    expect(typeof proto.Timestamp.encode).toBe('function');
    expect(typeof proto.Any.encode).toBe('function');
  });
});
