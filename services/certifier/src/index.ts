export * from './certification.js';
export type * from './ports.js';
export { Certifier, type Certification, type CertifierDependencies } from './service.js';
export { certifierGrpcService } from './grpc.js';
export { JsonFileCounterStore } from './adapters/json-file-counter-store.js';
export { certifierConfigSchema, loadCertifierConfig, type CertifierConfig } from './config.js';
export { startCertifier, CERTIFIER_VERSION } from './server.js';
