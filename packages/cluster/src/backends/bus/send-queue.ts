// Coalesces concurrent produce calls into one request at a time; each caller learns the fate of the request that carried its records.
import type { BusRecord } from './bus.js';

interface Waiting {
  records: readonly BusRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SendQueue {
  private waiting: Waiting[] = [];
  private inFlight = false;

  constructor(
    private readonly send: (records: BusRecord[]) => Promise<void>,
    private readonly maxRecordsPerRequest = 10_000,
  ) {}

  add(records: readonly BusRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    while (this.waiting.length > 0) {
      const batch: Waiting[] = [];
      let count = 0;
      while (
        this.waiting.length > 0 &&
        (batch.length === 0 || count + (this.waiting[0]?.records.length ?? 0) <= this.maxRecordsPerRequest)
      ) {
        const next = this.waiting.shift()!;
        batch.push(next);
        count += next.records.length;
      }
      try {
        await this.send(batch.flatMap((w) => w.records));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.inFlight = false;
  }
}
