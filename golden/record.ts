/**
 * Records goldens: for every case of golden/cases/<version>.ts whose golden is missing, writes
 *   golden/mithril/<version>/<Message>.<case>.binpb  (bytes from the generated code)
 *   golden/mithril/<version>/<Message>.<case>.json   (the value decoded back by the descriptors of /proto,
 *                                                     canonical proto3 JSON)
 * and adds both to golden/manifest.json with their SHA-256.
 *
 *   npx tsx golden/record.ts
 *
 * It never overwrites, deletes or re-hashes anything: goldens are immutable once recorded. An
 * existing golden that no longer matches its case, or a manifest entry whose file changed, is
 * reported and makes the script fail (add a new case name instead of editing a recorded one).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { casesOf, generatedCodecs, VERSIONS } from './lib/generated.js';
import { contractVersions, findMessage, generatedName, loadRegistry, messagesOf } from './lib/schema.js';
import { absolute, CASE_NAME, formatManifest, goldenOf, MANIFEST_PATH, readManifest, sha256, type Manifest } from './lib/store.js';

const registry = loadRegistry();
const manifest: Manifest = readManifest();
const problems: string[] = [];
const written: string[] = [];

function writeNew(relativePath: string, content: Uint8Array | string): void {
  const path = absolute(relativePath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { flag: 'wx' }); // 'wx': fails rather than overwrite
  manifest[relativePath] = sha256(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  written.push(relativePath);
}

// Manifest entries must still match their files before anything is added.
for (const [file, hash] of Object.entries(manifest)) {
  if (!existsSync(absolute(file))) problems.push(`${file}: in the manifest but missing`);
  else if (sha256(readFileSync(absolute(file))) !== hash) problems.push(`${file}: changed since it was recorded`);
}

for (const version of contractVersions(registry)) {
  if (VERSIONS[version] === undefined) {
    problems.push(`mithril.${version}: no generated code and cases registered in golden/lib/generated.ts`);
    continue;
  }
  const codecs = generatedCodecs(version);
  const cases = casesOf(version);
  for (const desc of messagesOf(registry, version)) {
    if (!cases.has(generatedName(desc))) problems.push(`mithril.${version}.${generatedName(desc)}: no cases`);
  }
  for (const [message, messageCases] of cases) {
    const desc = findMessage(registry, version, message);
    const codec = codecs.get(message);
    if (desc === undefined || codec === undefined) {
      problems.push(`golden/cases/${version}.ts: ${message} is not a message of mithril.${version}`);
      continue;
    }
    for (const [caseName, value] of messageCases) {
      if (!CASE_NAME.test(caseName)) {
        problems.push(`${message}.${caseName}: case names are lower_snake_case`);
        continue;
      }
      const golden = goldenOf(version, message, caseName);
      const bytes = codec.encode(codec.fromPartial(value)).finish();
      const binpbExists = existsSync(absolute(golden.binpb));
      const jsonExists = existsSync(absolute(golden.json));
      if (binpbExists && jsonExists) {
        if (!Buffer.from(readFileSync(absolute(golden.binpb))).equals(Buffer.from(bytes))) {
          problems.push(`${golden.binpb}: recorded bytes differ from case ${message}.${caseName} (recorded cases are frozen; add a new case)`);
        }
        continue;
      }
      if (binpbExists || jsonExists) {
        problems.push(`${golden.binpb}: half a golden (the .binpb or the .json is missing); restore it from version control`);
        continue;
      }
      const json = toJson(desc, fromBinary(desc, bytes), { registry });
      writeNew(golden.binpb, bytes);
      writeNew(golden.json, `${JSON.stringify(json, null, 2)}\n`);
    }
  }
}

writeFileSync(MANIFEST_PATH, formatManifest(manifest));
for (const file of written) console.log(`record: added ${file}`);
console.log(`record: ${written.length} file(s) added, ${Object.keys(manifest).length} in the manifest`);
if (problems.length > 0) {
  console.error(`record: ${problems.length} problem(s):\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  process.exitCode = 1;
}
