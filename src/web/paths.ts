// Where the web manager keeps its files: <etc>/web on the config partition.
import * as path from 'node:path';

export const webDir = (etc: string) => path.join(etc, 'web');
export const accountsFile = (etc: string) => path.join(webDir(etc), 'accounts.json');
export const assetsDir = (env: NodeJS.ProcessEnv = process.env) => env.PAIRHA_WEB_ASSETS || path.resolve(__dirname, '..', '..', 'web');
