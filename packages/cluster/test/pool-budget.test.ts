// The pool budget arithmetic on fixed inputs: every logperf pool on the server counts with its declared maximum, once.
import { describe, expect, it } from 'vitest';
import { applicationName, parseApplicationName, poolBudgetProblem } from '../src/backends/store/pool-budget.js';

const pool = (role: string, owner: string, maxConnections: number) => ({ role, owner, maxConnections });
const server = (names: string[]) => ({ maxConnections: 100, reservedConnections: 3, applicationNames: names });

describe('pool budget', () => {
  it('round-trips a pool tag through application_name, and ignores other clients', () => {
    const tag = pool('store', '4242.3', 50);
    expect(applicationName(tag)).toBe('logperf-store/4242.3/50');
    expect(parseApplicationName(applicationName(tag))).toEqual(tag);
    expect(parseApplicationName('psql')).toBeUndefined();
    expect(parseApplicationName('logperf-store')).toBeUndefined();
  });

  it('passes when the declared maxima fit in max_connections less the reserved ones', () => {
    // One processor pool of 50 already connected (3 of its connections open), this one of 10, 2 + 2 for services.
    const names = ['logperf-store/1.1/50', 'logperf-store/1.1/50', 'logperf-store/1.1/50', 'logperf-monitor/7.1/2'];
    expect(poolBudgetProblem(server([...names, 'psql', 'logperf-loadgen/8.1/2']), pool('store', '9.1', 10))).toBe(
      undefined,
    );
  });

  it('fails the seed profile on a third process: 3 × 50 > 97, naming each pool and the setting to change', () => {
    const names = ['logperf-store/1.1/50', 'logperf-store/2.1/50', 'psql'];
    const problem = poolBudgetProblem(server(names), pool('store', '3.1', 50));
    expect(problem).toContain('PostgreSQL allows 100 connections (3 reserved)');
    expect(problem).toContain('may open 150 (store 50+50+50; this store pool: 50)');
    expect(problem).toContain('1 other client connection(s)');
    expect(problem).toContain('LOGPERF_PG_POOL_SIZE');
  });

  it('counts a pool of this process once, however many of its connections are open', () => {
    const names = Array.from({ length: 40 }, () => 'logperf-store/1.1/48');
    expect(poolBudgetProblem(server(names), pool('store', '2.1', 49))).toBe(undefined);
    expect(poolBudgetProblem(server(names), pool('store', '2.1', 50))).toContain('may open 98');
  });
});
