/**
 * Test certificates made by the `openssl` command (no hand-written ASN.1): a CA, and server
 * certificates it issues, valid for 127.0.0.1 and localhost unless a test asks for another name or
 * an expired one. Small and local to the client's tests (libs/testkit is getting a generator).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** The CA certificate's PEM file (what --ca-file takes). */
  readonly certFile: string;
  issue(options?: { readonly names?: readonly string[]; readonly expired?: boolean }): { readonly key: string; readonly cert: string };
}

const openssl = (directory: string, args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function createTestCa(name: string): TestCa {
  const directory = mkdtempSync(join(tmpdir(), 'cli-test-ca-'));
  openssl(directory, [
    ...['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  let issued = 0;
  return {
    certFile: join(directory, 'ca.pem'),
    issue(options = {}) {
      issued += 1;
      const stem = `server-${issued}`;
      const names = options.names ?? ['IP:127.0.0.1', 'DNS:localhost'];
      writeFileSync(join(directory, `${stem}.ext`), `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`);
      openssl(directory, ['req', '-new', ...EC_KEY, '-keyout', `${stem}.key`, '-out', `${stem}.csr`, '-subj', '/CN=test server']);
      // -days -1: valid from now until yesterday, which every verifier reports as expired.
      openssl(directory, [
        ...['x509', '-req', '-in', `${stem}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${stem}.pem`],
        ...['-days', options.expired === true ? '-1' : '2', '-extfile', `${stem}.ext`],
      ]);
      return { key: readFileSync(join(directory, `${stem}.key`), 'utf8'), cert: readFileSync(join(directory, `${stem}.pem`), 'utf8') };
    },
  };
}
