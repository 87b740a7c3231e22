/** What several benches share: a generated immutable database kept between runs, and the printed table with its timing helpers. */
export { EXTENSIONS, benchSize, ensureDataset, fileName, trioSizes, writeGeneratedFile, writeTrio, type Dataset } from './dataset.js';
export { Report, best, dropPageCache, gibibytes, machineBusyShare, machineLine, seconds, throughput, timeCommand } from './report.js';
