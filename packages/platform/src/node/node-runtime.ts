// What every cluster node knows about itself: identity, telemetry, and a 1 s sample of its resources.
import {
  EventLoopMonitor,
  GcMonitor,
  ResourceSampler,
  type EventLoopSnapshot,
  type GcSnapshot,
  type ResourceSnapshot,
} from '@logperf/core';
import { CpuPerEventMeter, type CpuPerEvent } from './cpu-per-event.js';
import { NodeTelemetry } from './telemetry.js';

const SAMPLE_INTERVAL_MS = 1000;

export interface ResourceReadings {
  resources: ResourceSnapshot;
  eventLoop: EventLoopSnapshot;
  gc: GcSnapshot;
}

export class NodeRuntime {
  readonly telemetry: NodeTelemetry;
  readonly startedAt = Date.now();
  private readonly sampler = new ResourceSampler();
  private readonly eventLoop = new EventLoopMonitor();
  private readonly gc = new GcMonitor();
  private readonly cpuPerEvent: CpuPerEventMeter;
  private latest: ResourceReadings | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly role: string,
    readonly primaryStage: string,
  ) {
    this.telemetry = new NodeTelemetry(id, role);
    this.cpuPerEvent = new CpuPerEventMeter(role, () => this.telemetry.eventsTotal(primaryStage));
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS).unref();
    void this.sample();
  }

  /** Readings of the last completed 1 s interval (the first call may still show the start-up sample). */
  readings(): ResourceReadings | undefined {
    return this.latest;
  }

  /** CPU µs per event of the primary stage: what this role costs per event it handles. */
  cpuPerEventUs(): CpuPerEvent {
    return this.cpuPerEvent.snapshot();
  }

  private sampling = false;

  /**
   * One sample at a time: after a stalled event loop two timer ticks fire back to back, and two overlapping
   * samples would divide a second's CPU ticks by the milliseconds between them (a 17,000 % spike, seen).
   */
  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    this.cpuPerEvent.sample();
    try {
      const resources = await this.sampler.sample();
      this.latest = { resources, eventLoop: this.eventLoop.snapshot(), gc: this.gc.snapshot() };
    } finally {
      this.sampling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.eventLoop.stop();
    this.gc.stop();
    this.cpuPerEvent.stop();
  }
}
