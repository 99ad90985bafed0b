// Who may talk to a node: the Host a request names (against DNS rebinding), the Origin of a mutating request (against
// cross-site requests from any page the user has open), and the bearer token on every mutating route when one is set.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@logperf/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface AccessOptions {
  /** When set, every non-GET route requires `Authorization: Bearer <token>`. */
  apiToken?: string | undefined;
  /** Names a Host header may carry besides `localhost` and the address the request arrived on (e.g. Compose service names). */
  allowedHosts?: readonly string[] | undefined;
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests so the time taken says nothing about the token's length or content. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return timingSafeEqual(digest(presented), digest(token));
}

const bare = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/, '');

/** The host name of a Host header value (`name:port`, `[v6]:port`), or undefined when it is not one. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return bare(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return undefined;
  }
}

function hostAllowed(request: FastifyRequest, allowed: ReadonlySet<string>): boolean {
  const header = request.headers.host;
  if (header === undefined) return true; // HTTP/1.0 without Host: no browser sends that
  const name = hostnameOf(header);
  if (name === undefined) return false;
  // The address the client connected to is the bound address (or, bound to 0.0.0.0, one of the machine's own).
  return name === 'localhost' || allowed.has(name) || name === bare(request.socket.localAddress ?? '');
}

export function registerAccess(app: FastifyInstance, options: AccessOptions): void {
  const allowed = new Set((options.allowedHosts ?? []).map(bare));
  app.addHook('onRequest', async (request) => {
    if (!hostAllowed(request, allowed))
      throw new AppError(
        'FORBIDDEN',
        `Host '${request.headers.host}' is not served here: use localhost, the bound address, or a name in LOGPERF_ALLOWED_HOSTS`,
      );
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin !== undefined && originHost(origin) !== request.headers.host?.toLowerCase())
      throw new AppError(
        'FORBIDDEN',
        `a ${request.method} from origin '${origin}' is refused: only same-origin requests may change state`,
      );
    if (options.apiToken !== undefined && !tokenMatches(request.headers.authorization, options.apiToken))
      throw new AppError('UNAUTHORIZED');
  });
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // `null` (sandboxed pages, file://) is never this service's own origin
  }
}
