/** The client's own version, sent to the aggregator with every request (gRPC metadata). */
export const CLIENT_VERSION = '0.1.0';
