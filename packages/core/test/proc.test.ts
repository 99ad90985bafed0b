// /proc parsers against files captured on a Linux 2-CPU VM (trimmed), and the readers against the live /proc.
import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  parseAuxvClockTicks,
  parseDiskStats,
  parseMemInfo,
  parseNetDev,
  parseProcessCpuTicks,
  parseProcessIo,
  parseRssBytes,
  parseSystemCpu,
  readClockTicksPerSecond,
  readMemInfo,
  readProcessCpuTicks,
  readProcText,
} from '@logperf/core';

const STAT = `cpu  545601 465 75899 1170012 3095 0 9018 2177 0 0
cpu0 264821 225 35770 595167 433 0 4455 1128 0 0
cpu1 280779 239 40128 574844 2661 0 4563 1049 0 0
ctxt 16425206
`;
const PID_STAT =
  '11580 (node (vitest)) S 11560 11055 4165 0 -1 4194304 53590 5903634 0 137 295 51 20617 2792 20 0 11 0 884668 23928549376 29562 18446744073709551615 11988992 39846385 140733062792592 0 0 0 0 16781312 83458 0 0 0 17 1 0 0 0 0 0 90418888 90555584 834232320 140733062796856 140733062796901 140733062796901 140733062799338 0\n';
const MEMINFO =
  'MemTotal:       24683656 kB\nMemFree:        20455124 kB\nMemAvailable:   22719172 kB\nBuffers:           21048 kB\n';
const STATUS =
  'Name:\tnode\nState:\tR (running)\nPid:\t13350\nVmPeak:\t  991672 kB\nVmSize:\t  991672 kB\nVmHWM:\t   54552 kB\nVmRSS:\t   48072 kB\nRssAnon:\t    8752 kB\nThreads:\t7\n';
const IO =
  'rchar: 250158\nwchar: 8388909\nsyscr: 88\nsyscw: 4\nread_bytes: 0\nwrite_bytes: 8388608\ncancelled_write_bytes: 0\n';
const DISKSTATS = `   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   7       7 loop7 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 246269 47321 6480330 118189 181575 126067 10495304 161251 0 59984 307850 66525 91 2887624 12222 61812 16186
 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
`;
// Not from this VM (it has no partitions): the shape a partition line has on one that does.
const PARTITION =
  ' 254       1 vda1 245000 47000 6400000 117000 180000 126000 10400000 160000 0 59000 300000 0 0 0 0 0 0\n';
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 2208679251  674395    0    0    0     0          0         0 2208679251  674395    0    0    0     0       0          0
  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0: 928186023   31054    0    0    0     0          0         0  3283631   23577    0    0    0     0       0          0
`;
// The first 8 (type, value) pairs of /proc/self/auxv on x86-64; pair 5 is AT_CLKTCK (17) = 100.
const AUXV = Buffer.from(
  '210000000000000000603c3b3a7f00003300000000000000300d0000000000001000000000000000fffb8b17000000000600000000000000001000000000000011000000000000006400000000000000030000000000000040004000000000000400000000000000380000000000000005000000000000000e00000000000000',
  'hex',
);

describe('/proc parsers', () => {
  it('reads system CPU ticks with iowait as idle, and the CPUs online', () => {
    expect(parseSystemCpu(STAT)).toEqual({ totalTicks: 1806267, idleTicks: 1173107, cpuCount: 2 });
    expect(() => parseSystemCpu('intr 1 2 3\n')).toThrow('no aggregate cpu line');
  });

  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    expect(parseProcessCpuTicks(PID_STAT)).toBe(346);
    expect(parseProcessCpuTicks('11549 (npm test) S 11102 11055 4165 0 -1 4194304 6012 0 0 0 34 8 0 0 20 0 11 0')).toBe(
      42,
    );
    expect(() => parseProcessCpuTicks('garbage')).toThrow('no utime/stime fields');
  });

  it('reads memory, RSS and process I/O in bytes', () => {
    expect(parseMemInfo(MEMINFO)).toEqual({ totalBytes: 25276063744, availableBytes: 23264432128 });
    expect(() => parseMemInfo('MemTotal:       24683656 kB\nMemFree:        20455124 kB\n')).toThrow('no MemAvailable');
    expect(parseRssBytes(STATUS)).toBe(49225728);
    expect(() => parseRssBytes('Name:\tkthreadd\nState:\tS (sleeping)\n')).toThrow('no VmRSS');
    expect(parseProcessIo(IO)).toEqual({ readBytes: 0, writeBytes: 8388608 });
  });

  it('keeps physical whole disks: no loop, zram or partitions', () => {
    const vda = { device: 'vda', sectorsRead: 6480330, sectorsWritten: 10495304, ioTicksMs: 59984 };
    expect(parseDiskStats(DISKSTATS + PARTITION)).toEqual([vda]);
    const sysBlock = new Set(['loop0', 'loop7', 'vda', 'zram0']);
    expect(parseDiskStats(DISKSTATS + PARTITION, sysBlock)).toEqual([vda]);
  });

  it('reads bytes per interface, lo included', () => {
    expect(parseNetDev(NET_DEV)).toEqual([
      { iface: 'lo', rxBytes: 2208679251, txBytes: 2208679251 },
      { iface: 'ifb0', rxBytes: 0, txBytes: 0 },
      { iface: 'eth0', rxBytes: 928186023, txBytes: 3283631 },
    ]);
  });

  it('finds CLK_TCK in the auxiliary vector', () => {
    expect(parseAuxvClockTicks(AUXV)).toBe(100);
    expect(parseAuxvClockTicks(AUXV.subarray(0, 64))).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('/proc readers on this machine', () => {
  it('agree with what Node reads from the kernel', async () => {
    const mem = await readMemInfo();
    expect(mem.ok && mem.value.totalBytes).toBe(totalmem());
    const clock = await readClockTicksPerSecond();
    expect(clock).toEqual({ ticksPerSecond: 100, source: 'auxv' });
    // Both count this process's CPU time: /proc in whole ticks, getrusage in µs; allow two ticks either way.
    const before = process.cpuUsage();
    const ticks = await readProcessCpuTicks(process.pid);
    const after = process.cpuUsage();
    const ticksUs = ticks.ok ? (ticks.value / clock.ticksPerSecond) * 1e6 : Number.NaN;
    expect(ticksUs).toBeGreaterThanOrEqual(before.user + before.system - 20_000);
    expect(ticksUs).toBeLessThanOrEqual(after.user + after.system + 20_000);
  });

  it('gives the path and errno instead of throwing', async () => {
    expect(await readProcText('/proc/2147483646/stat')).toEqual({ ok: false, reason: '/proc/2147483646/stat: ENOENT' });
    expect(await readProcessCpuTicks(2147483646)).toEqual({ ok: false, reason: '/proc/2147483646/stat: ENOENT' });
  });
});
