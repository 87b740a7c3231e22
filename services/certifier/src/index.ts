export * from './certification.js';
export type * from './ports.js';
export { Certifier, type Certification, type CertifierDependencies } from './service.js';
export { certifierGrpcService } from './grpc.js';
export {
  CertifierStoreError,
  PrismaOpcertCounterStore,
  importLegacyCounters,
  openCertifierStore,
  type CertifierStoreErrorCode,
  type OpenCertifierStoreOptions,
  type OpenedCertifierStore,
} from './store/index.js';
export { certifierConfigSchema, loadCertifierConfig, type CertifierConfig } from './config.js';
export { startCertifier, CERTIFIER_VERSION } from './server.js';
