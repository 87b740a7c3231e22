/**
 * Golden tests of the wire contracts (see golden/README.md):
 *   (a) goldens are immutable: every manifest entry exists with its recorded SHA-256, and every file is
 *       in the manifest;
 *   (b) every golden decodes, with the generated code and with the descriptors of /proto, to its
 *       expected value (the .json next to it, and the recorded case when it is still defined);
 *   (c) re-encoding the decoded value gives the recorded bytes;
 *   (d) every message type of every package version has at least one golden, and goldens together
 *       set every field of every message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fromBinary, isFieldSet, toBinary, toJson, type DescMessage } from '@bufbuild/protobuf';
import { casesOf, generatedCodecs, generatedToJson, VERSIONS } from '../lib/generated.js';
import { contractVersions, findMessage, generatedName, loadRegistry, messagesOf } from '../lib/schema.js';
import { absolute, goldenVersions, listGoldenFiles, listGoldens, readManifest, sha256, type Golden } from '../lib/store.js';

const registry = loadRegistry();
const manifest = readManifest();
const versions = contractVersions(registry);

const read = (relativePath: string): Buffer => readFileSync(absolute(relativePath));
const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('golden manifest', () => {
  it('records goldens', () => {
    expect(Object.keys(manifest).length).toBeGreaterThan(0);
  });

  it('every manifest entry exists with its recorded SHA-256 (goldens are added, never changed or removed)', () => {
    const problems: string[] = [];
    for (const [file, hash] of Object.entries(manifest)) {
      if (!existsSync(absolute(file))) problems.push(`${file}: missing`);
      else if (sha256(read(file)) !== hash) problems.push(`${file}: changed (SHA-256 ${sha256(read(file))}, recorded ${hash})`);
    }
    expect(problems).toEqual([]);
  });

  it('every golden file is in the manifest, and comes as a .binpb and .json pair', () => {
    const files = listGoldenFiles();
    const unrecorded = files.filter((file) => manifest[file] === undefined);
    const unpaired = files.filter((file) => {
      if (file.endsWith('.binpb')) return !files.includes(file.replace(/\.binpb$/, '.json'));
      if (file.endsWith('.json')) return !files.includes(file.replace(/\.json$/, '.binpb'));
      return true;
    });
    expect({ unrecorded, unpaired }).toEqual({ unrecorded: [], unpaired: [] });
  });
});

describe('package versions', () => {
  it('every version defined in /proto has generated code and goldens', () => {
    expect(versions).toContain('v1');
    expect(versions.filter((version) => VERSIONS[version] === undefined)).toEqual([]);
    expect(versions.filter((version) => !goldenVersions().includes(version))).toEqual([]);
  });

  it('goldens of a version removed from /proto would fail here: old versions keep being served', () => {
    expect(goldenVersions().filter((version) => !versions.includes(version))).toEqual([]);
  });
});

describe.each(versions)('mithril.%s', (version) => {
  const codecs = generatedCodecs(version);
  const cases = casesOf(version);
  const goldens = listGoldens(version);
  const messages = messagesOf(registry, version);

  it('has a golden for every message type (d)', () => {
    const covered = new Set(goldens.map((golden) => golden.message));
    expect(messages.map(generatedName).filter((name) => !covered.has(name))).toEqual([]);
  });

  it('has generated code for exactly the messages of /proto', () => {
    // ts-proto also generates the synthetic entry message of each map field ("ErrorDetail_MetadataEntry").
    const mapEntries = messages.flatMap((desc) =>
      desc.fields.filter((field) => field.fieldKind === 'map').map((field) => `${generatedName(desc)}_${field.proto.typeName.split('.').pop() ?? ''}`),
    );
    expect([...codecs.keys()].sort()).toEqual([...messages.map(generatedName), ...mapEntries].sort());
  });

  it('has goldens of known message types only', () => {
    expect(goldens.filter((golden) => findMessage(registry, version, golden.message) === undefined).map((g) => g.binpb)).toEqual([]);
  });

  it('sets every field of every message in at least one golden', () => {
    const setFields = new Map<string, Set<string>>();
    for (const golden of goldens) {
      const desc = findMessage(registry, version, golden.message);
      if (desc === undefined) continue;
      const decoded = fromBinary(desc, read(golden.binpb));
      const set = setFields.get(desc.typeName) ?? new Set<string>();
      for (const field of desc.fields) if (isFieldSet(decoded, field)) set.add(field.name);
      setFields.set(desc.typeName, set);
    }
    const neverSet = messages.flatMap((desc: DescMessage) =>
      desc.fields.filter((field) => !setFields.get(desc.typeName)?.has(field.name)).map((field) => `${desc.typeName}.${field.name}`),
    );
    expect(neverSet).toEqual([]);
  });

  const table: [string, Golden][] = goldens.map((golden) => [`${golden.message}.${golden.caseName}`, golden]);
  describe.each(table)('%s', (_label, golden) => {
    const desc = findMessage(registry, version, golden.message);
    const codec = codecs.get(golden.message);
    const bytes = read(golden.binpb);
    const expectedJson: unknown = JSON.parse(read(golden.json).toString('utf8'));

    it('decodes with the generated code to the expected value (b)', () => {
      if (desc === undefined || codec === undefined) throw new Error(`unknown message ${golden.message}`);
      const decoded = codec.decode(bytes);
      expect(generatedToJson(desc, decoded, registry)).toEqual(expectedJson);
      const recordedCase = cases.get(golden.message)?.get(golden.caseName);
      if (recordedCase !== undefined) expect(decoded).toEqual(codec.fromPartial(recordedCase));
    });

    it('decodes with the descriptors of /proto to the expected value (b)', () => {
      if (desc === undefined) throw new Error(`unknown message ${golden.message}`);
      expect(toJson(desc, fromBinary(desc, bytes), { registry })).toEqual(expectedJson);
    });

    it('re-encodes to the recorded bytes (c)', () => {
      if (desc === undefined || codec === undefined) throw new Error(`unknown message ${golden.message}`);
      expect(hexOf(codec.encode(codec.decode(bytes)).finish())).toBe(hexOf(bytes));
      expect(hexOf(toBinary(desc, fromBinary(desc, bytes)))).toBe(hexOf(bytes));
    });
  });
});
