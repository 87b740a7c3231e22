/** The client's own version, sent to the aggregator with every gRPC request (version metadata). */
export const CLIENT_VERSION = '0.1.0';

/**
 * The REST API version this client speaks (`info.version` of the reference's mithril-openapi.yaml
 * it was written against), sent in the `mithril-api-version` header; a server announcing an
 * incompatible version (another major, or another minor for 0.x) is refused.
 */
export const REST_API_VERSION = '0.1.68';
