// Mail sink: nodemailer over SMTP, queued so a slow server never blocks the runtime.
import * as nodemailer from 'nodemailer';
import type { MailConfig } from '../../config/types';
import type { Logger } from '../../logger';
import type { EventRecord, Sink } from '../bus';

export class MailSink implements Sink {
  private chain: Promise<void> = Promise.resolve();
  private readonly transport: nodemailer.Transporter;
  failed = 0;
  sent = 0;

  constructor(private readonly cfg: MailConfig, private readonly cluster: string, private readonly log: Logger) {
    this.transport = nodemailer.createTransport({ host: cfg.smtpHost, port: cfg.smtpPort, secure: false, ignoreTLS: true, connectionTimeout: 10000 });
  }

  deliver(rec: EventRecord): void {
    const subject = `${this.cfg.subject}: ${this.cluster} ${rec.server} ${rec.def.type} ${rec.def.lvl} ${rec.def.id}`;
    const text = `Cluster: ${this.cluster}\nServer: ${rec.server}\nTime: ${new Date(rec.time).toISOString()}\nType: ${rec.def.type}\nEvent: ${rec.def.id}\nLevel: ${rec.def.lvl}\n\n${rec.text}\n`;
    this.chain = this.chain.then(async () => {
      try {
        await this.transport.sendMail({ from: this.cfg.from, to: this.cfg.to.join(', '), subject, text });
        this.sent++;
      } catch (e) {
        this.failed++;
        this.log.warn(`mail to ${this.cfg.smtpHost}:${this.cfg.smtpPort} failed: ${(e as Error).message}`);
      }
    });
  }

  async close(): Promise<void> {
    await this.chain;
    this.transport.close();
  }
}
