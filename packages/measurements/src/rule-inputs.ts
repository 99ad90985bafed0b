// What the bottleneck rules read besides node samples: the host's network per interface (against its link speed)
// and the consumer group's Burrow-style lag status. The monitor measures them; the rules only read them.

export type LagStatus = 'OK' | 'WARN' | 'STALL' | 'STOP';

export interface LinkSample {
  iface: string;
  /** The busier direction (links are full duplex): max(received, sent) bytes/s. */
  bytesPerSecond: number;
  /** null where the kernel knows no speed: loopback, virtual interfaces, or -1 ("unknown"). */
  linkBytesPerSecond: number | null;
  linkUnknownReason: string | null;
}

export interface NetworkSample {
  atMs: number;
  links: LinkSample[];
}
