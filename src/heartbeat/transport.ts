// What membership needs of a heartbeat link: send our packet, deliver the peers'.
export interface Transport {
  readonly name: string;
  /** False while the link cannot be used on this server (device missing, bind failed). */
  usable: boolean;
  start(onPacket: (buf: Buffer) => void): Promise<void>;
  /** Send (LAN, COM) or publish in our slot (disk); called every interval. */
  send(buf: Buffer): void;
  /** Called every interval: links that poll (disk) read the peers' slots here. */
  poll?(): void;
  stop(): Promise<void>;
}
