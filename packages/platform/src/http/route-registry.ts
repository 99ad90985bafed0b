// Which apps were built with this registry and the routes each registered, so tests reach every route a service
// really serves (the fuzz and access tests): handed to createHttpApp explicitly, never a process-wide hook.
import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  url: string;
}

export interface RecordedApp {
  app: FastifyInstance;
  /** Method and URL pattern of every route, HEAD twins of GET routes included. */
  routes: RegisteredRoute[];
}

export class RouteRegistry {
  private readonly recorded: RecordedApp[] = [];

  /** Called by createHttpApp before any route exists, so no route added later escapes the record. */
  record(app: FastifyInstance): void {
    const routes: RegisteredRoute[] = [];
    this.recorded.push({ app, routes });
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
  }

  /** The apps in the order they were built, each with its routes so far. */
  apps(): RecordedApp[] {
    return this.recorded.map(({ app, routes }) => ({ app, routes: [...routes] }));
  }
}
