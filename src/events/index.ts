// Builds the event bus with its sinks from whatever is known: before a valid
// configuration exists (pm 13/14/15), syslog and the alert log work with defaults.
import type { ClusterConfig } from '../config/types';
import type { Paths } from '../constants';
import type { Logger } from '../logger';
import type { Platform } from '../platform/types';
import { EventBus, type Sink } from './bus';
import { AlertLog } from './sinks/alert';
import type { MailSink as MailSinkType } from './sinks/mail';
import { SyslogSink } from './sinks/syslog';
import type { Destination } from './types';

export interface EventDeps { paths: Paths; log: Logger; platform: Platform; server: string; config?: ClusterConfig }

export function createEvents(d: EventDeps): { bus: EventBus; alert: AlertLog } {
  const c = d.config;
  const alert = new AlertLog(d.paths.alert, c?.alert.maxEntries ?? 10000);
  const sinks: Partial<Record<Destination, Sink>> = { alert };
  if (!c || c.syslog.enabled) sinks.syslog = new SyslogSink(d.platform, d.paths.devLog, c?.syslog.facility ?? 'daemon', d.log.child('event'));
  if (c?.mail.enabled) {
    // Loaded only when mail is on: the SMTP client is the runtime's largest dependency.
    const { MailSink } = require('./sinks/mail') as { MailSink: typeof MailSinkType };
    sinks.mail = new MailSink(c.mail, c.cluster.name, d.log.child('event'));
  }
  return { bus: new EventBus(d.paths.messages, d.server, sinks, d.log.child('event')), alert };
}

export { EventBus } from './bus';
export { readAlerts, formatAlerts, type AlertEntry } from './sinks/alert';
