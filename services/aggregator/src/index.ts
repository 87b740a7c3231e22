/** The Mithril aggregator. */
export * from './store/index.js';
