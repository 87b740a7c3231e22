import { createServer } from 'node:net';

/**
 * A TCP port nothing listens on right now on `host` (the kernel's pick, released at once), for a
 * process started next that must be told its port, or a container port published there.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
