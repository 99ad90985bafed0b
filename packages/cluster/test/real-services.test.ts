// The rule describeReal and requireService enforce: an unreachable service fails under CI=true and is only skipped
// (with a warning) elsewhere; a service that answers runs the tests.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireService, type ServiceProbe } from './real-services.js';

const down: ServiceProbe = {
  name: 'a service on a closed port',
  check: () => Promise.reject(new Error('ECONNREFUSED')),
};
const up: ServiceProbe = { name: 'a service that answers', check: () => Promise.resolve() };
const silent: ServiceProbe = { name: 'a service that never answers', check: () => new Promise<void>(() => undefined) };
const ci = process.env.CI;

describe('real-service rule', () => {
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('under CI=true an unreachable or silent service is a failure, naming the service and why', async () => {
    process.env.CI = 'true';
    await expect(requireService(down)).rejects.toThrow(
      /a service on a closed port is not reachable \(ECONNREFUSED\).*CI=true requires every real service/,
    );
    await expect(requireService([up, silent], 50)).rejects.toThrow(
      /a service that never answers is not reachable \(no answer within 50 ms\)/,
    );
    await expect(requireService(up)).resolves.toBe(true);
  });

  it('outside CI an unreachable service skips with a warning that says it would fail under CI=true', async () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(requireService(down)).resolves.toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /skipping tests: a service on a closed port is not reachable.*Under CI=true this is a failure/,
      ),
    );
    await expect(requireService(up)).resolves.toBe(true);
  });
});
