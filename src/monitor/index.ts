// One table from monitor type to its check. userw is the watchdog keeper (userw.ts), run by
// the runtime itself; mdw and mdnw belong to the mirror work.
import type { MonitorType } from '../config/types';
import { diskw } from './diskw';
import { genw } from './genw';
import { ipw } from './ipw';
import { mdnw } from './mdnw';
import { mdw } from './mdw';
import { miiw } from './miiw';
import { pidw } from './pidw';
import { raww } from './raww';
import type { CheckFactory } from './types';

export const checks: Partial<Record<MonitorType, CheckFactory>> = { ipw, pidw, genw, diskw, raww, miiw, mdw, mdnw };
