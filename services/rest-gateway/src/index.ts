export { OPENAPI_VERSION, API_VERSION_HEADER, apiVersionRejection } from './api-version.js';
export { RestError, HTTP_STATUS_OF_ERROR_CODE, restErrorFromGrpc } from './errors.js';
export { ResponseCache, rendered, type Rendered, type ResponseCacheOptions } from './cache.js';
export { AggregatorUpstream, SignerGatewayUpstream, type UpstreamOptions } from './upstream.js';
export { signerRegistrationFromMessage, singleSignatureFromMessage } from './requests.js';
export { certificateListItemMessage, certificateMessageJson } from './messages/certificates.js';
export { signerMessage, signerWithStakeMessage } from './messages/signers.js';
export { epochSettingsMessage, protocolConfigurationMessage, registeredSignersMessage } from './messages/epochs.js';
export {
  cardanoDatabaseDigestsMessage,
  cardanoDatabaseSnapshotListItemMessage,
  cardanoDatabaseSnapshotMessage,
  mithrilStakeDistributionListItemMessage,
  mithrilStakeDistributionMessage,
} from './messages/artifacts.js';
export { rootMessage, DOCUMENTATION_URL } from './messages/root.js';
export { registerRoutes, BASE_PATH, type RouteOptions } from './routes.js';
export { restGatewayConfigSchema, loadRestGatewayConfig, type RestGatewayConfig, type RestGatewayConfigInput } from './config.js';
export { startRestGateway, REST_GATEWAY_VERSION, type RunningRestGateway } from './server.js';
export { registerHardening, rateLimitClassOf, type HardeningOptions } from './hardening.js';
