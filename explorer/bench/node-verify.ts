/** bench:browser's Node baseline, one cold process per run: the same verifier on the same JSON, timed the same way (noble path). */
import { readFileSync } from 'node:fs';
import { decodeGenesisVerificationKey } from '@mithril-ts/protocol';
import { verifyOneCertificateJson } from '../src/verify.js';

const { json, genesisVerificationKey } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { json: string; genesisVerificationKey: string };
const timings = verifyOneCertificateJson(json, decodeGenesisVerificationKey(genesisVerificationKey));
process.stdout.write(`${JSON.stringify(timings)}\n`);
