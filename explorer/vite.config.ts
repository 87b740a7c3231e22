/**
 * The explorer's build: static assets with relative URLs (served by the REST gateway at /explorer,
 * or from any other path), libs/protocol bundled for the browser.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Only pure code reaches the page. A Node built-in or a native addon (such as a BLS backend built
 * on blst for servers) would either break the page or silently change what is verified, so the
 * build fails naming the importer instead. node:crypto is the one built-in the libs use, mapped to
 * @noble/hashes by the alias below.
 */
function browserOnly(): Plugin {
  return {
    name: 'mithril-browser-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (/(^|\/)@chainsafe\/blst|\.node$/.test(source) || (/^node:|^(fs|path|os|worker_threads|child_process)$/.test(source) && source !== 'node:crypto')) {
        this.error(`${source} (imported by ${importer ?? '?'}) cannot enter the browser bundle: the explorer runs the pure verifier only`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [browserOnly()],
  resolve: { alias: { 'node:crypto': here('src/shims/node-crypto.ts') } },
  worker: { format: 'es' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The verifier (noble's BLS12-381 and the libs) is one chunk of a few hundred kB by nature.
    chunkSizeWarningLimit: 1024,
  },
});
