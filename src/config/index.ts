export { loadConfig, parseConfig, findLocalServer, loadKey } from './load';
export { ConfigError, formatProblem, type ConfigProblem } from './errors';
export type * from './types';
