// A started node, whatever its role: the URL it listens on, its runtime, and how to stop it.
import type { NodeRuntime } from './node-runtime.js';

export interface RunningRole<Role extends string = string> {
  role: Role;
  url: string;
  node: NodeRuntime;
  /** Stops accepting work, drains what is in flight (processor: commits it), closes the HTTP server. */
  close(): Promise<void>;
}
