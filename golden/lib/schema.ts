/**
 * The contracts as descriptors, built from /proto by buf (offline), for a decoder independent of
 * the generated code: @bufbuild/protobuf reads and writes any message of the registry reflectively,
 * and gives the canonical proto3 JSON that golden *.json files hold.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUF = join(ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');

/** Packages of the Mithril contracts: mithril.v1, mithril.v2, ... */
export const VERSIONED_PACKAGE = /^mithril\.(v[1-9][0-9]*)$/;

/** Builds /proto with buf (imports included) and returns every file, message and enum as a registry. */
export function loadRegistry(): FileRegistry {
  const result = spawnSync(process.execPath, [BUF, 'build', '--exclude-source-info', '-o', '-'], {
    cwd: ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`buf build failed:\n${result.stderr.toString()}`);
  // A Buf image is wire-compatible with google.protobuf.FileDescriptorSet.
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, new Uint8Array(result.stdout)));
}

/** Versions (v1, v2, ...) of the Mithril packages defined in /proto. */
export function contractVersions(registry: FileRegistry): string[] {
  const versions = new Set<string>();
  for (const file of registry.files) {
    const match = VERSIONED_PACKAGE.exec(file.proto.package);
    if (match?.[1] !== undefined) versions.add(match[1]);
  }
  return [...versions].sort();
}

function isMapEntry(message: DescMessage): boolean {
  return message.proto.options?.mapEntry === true;
}

/** Every message of package mithril.<version>, nested ones included, map entries excluded. */
export function messagesOf(registry: FileRegistry, version: string): DescMessage[] {
  const messages: DescMessage[] = [];
  const visit = (message: DescMessage): void => {
    if (!isMapEntry(message)) messages.push(message);
    message.nestedMessages.forEach(visit);
  };
  for (const file of registry.files) {
    if (file.proto.package === `mithril.${version}`) file.messages.forEach(visit);
  }
  return messages.sort((a, b) => a.typeName.localeCompare(b.typeName));
}

/** Name of a message in the generated code and in golden file names: "Outer_Inner" for nested ones. */
export function generatedName(message: DescMessage): string {
  return message.typeName.slice(message.file.proto.package.length + 1).replace(/\./g, '_');
}

/** The descriptor of message `name` (generated name) of package mithril.<version>, if any. */
export function findMessage(registry: FileRegistry, version: string, name: string): DescMessage | undefined {
  return registry.getMessage(`mithril.${version}.${name.replace(/_/g, '.')}`);
}
