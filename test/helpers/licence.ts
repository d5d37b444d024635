// Licences for tests that build runtimes: a development key and product licences for the
// configuration, under root (the trusted keys in root/licence-keys/trusted).
import * as path from 'node:path';
import type { ClusterConfig } from '../../src/config/types';
import { provisionDev } from '../../src/host/licence';

/** The environment resolvePaths needs so that a runtime under root finds valid licences. */
export function licensedEnv(root: string, config: ClusterConfig): Record<string, string> {
  const license = path.join(root, 'license');
  return { PAIRHA_LICENSE: license, PAIRHA_TRUSTED_KEYS: provisionDev(config, path.join(root, 'licence-keys'), [license]) };
}
