// Network bytes/s per interface of the monitor's host (/proc/net/dev) beside the link speed the kernel reports
// (/sys/class/net/<iface>/speed, Mb/s), so the I/O rule can judge network use against what the link carries.
import { readFile } from 'node:fs/promises';
import { readNetDev, type NetCounters } from '@logperf/core';
import type { LinkSample, NetworkSample } from '@logperf/measurements';

/** /sys/class/net/<iface>/speed in Mb/s → bytes/s, or why there is none. */
export async function readLinkSpeed(iface: string): Promise<{ bytesPerSecond: number } | { reason: string }> {
  if (iface === 'lo') return { reason: 'loopback has no link speed' };
  try {
    const mbits = Number((await readFile(`/sys/class/net/${iface}/speed`, 'utf8')).trim());
    return Number.isFinite(mbits) && mbits > 0
      ? { bytesPerSecond: (mbits * 1_000_000) / 8 }
      : { reason: `the kernel reports speed ${mbits} (unknown)` };
  } catch (error) {
    return { reason: `/sys/class/net/${iface}/speed: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}` };
  }
}

const HISTORY = 600;

export class HostNetwork {
  private previous: { monoMs: number; counters: NetCounters[] } | undefined;
  private readonly samples: NetworkSample[] = [];

  async sample(): Promise<void> {
    const reading = await readNetDev();
    const monoMs = performance.now();
    if (!reading.ok) return;
    const before = this.previous;
    this.previous = { monoMs, counters: reading.value };
    if (!before) return;
    const seconds = (monoMs - before.monoMs) / 1000;
    if (seconds <= 0) return;
    const links: LinkSample[] = [];
    for (const now of reading.value) {
      const old = before.counters.find((c) => c.iface === now.iface);
      if (!old) continue;
      const speed = await readLinkSpeed(now.iface);
      links.push({
        iface: now.iface,
        bytesPerSecond: Math.max(0, now.rxBytes - old.rxBytes, now.txBytes - old.txBytes) / seconds,
        linkBytesPerSecond: 'bytesPerSecond' in speed ? speed.bytesPerSecond : null,
        linkUnknownReason: 'reason' in speed ? speed.reason : null,
      });
    }
    this.samples.push({ atMs: Date.now(), links });
    if (this.samples.length > HISTORY) this.samples.shift();
  }

  history(sinceMs: number): NetworkSample[] {
    return this.samples.filter((s) => s.atMs >= sinceMs);
  }
}
