// What the group and monitor roles may ask of the mirror agent: the md resource's
// activation and deactivation, and the mdw / mdnw checks. Failures carry the seed's
// return codes (MdError: §12.4.4; results: §12.5.6-7).

/** A failed mdw / mdnw check: the seed's return code and message. */
export interface MdCheckFailure { code: number; message: string }

export interface MirrorPort {
  readonly running: boolean;
  activate(resource: string, mount: boolean): Promise<void>;
  deactivate(resource: string): Promise<void>;
  mdw(resource: string, peerUp: boolean): Promise<MdCheckFailure | undefined>;
  mdnw(resource: string): MdCheckFailure | undefined;
}
