// Readers of the real resource sources: /proc, the event loop, the garbage collector.
export * from './proc.js';
export * from './resource-sampler.js';
export * from './event-loop.js';
export * from './gc.js';
