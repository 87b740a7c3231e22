/** The verifier off the page's thread: decoding a large certificate's points must not freeze the page. */
import { prepareBls, verifyCertificateChain, type VerifyRequest } from './verify.js';

// The WebAssembly BLS code compiles while the page asks for its first verification.
void prepareBls();

self.addEventListener('message', (event: MessageEvent<{ id: number; request: VerifyRequest }>) => {
  const { id, request } = event.data;
  void verifyCertificateChain(request).then((outcome) => self.postMessage({ id, outcome }));
});
