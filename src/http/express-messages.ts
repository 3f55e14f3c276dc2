import http from 'node:http';

/** What this module needs of an Express app: the objects every request and response inherit from, which it replaces. */
export interface ExpressPrototypes {
  request: object;
  response: object;
}

export interface ExpressMessages {
  /** For `http.createServer(options, …)`: node:http makes each request and response with these. */
  options: { IncomingMessage: typeof http.IncomingMessage; ServerResponse: typeof http.ServerResponse };
  /** From now on requests and responses are born with this app's prototypes. Throws if the app's are not node:http's. */
  use(app: ExpressPrototypes): void;
}

/**
 * Requests and responses born with Express's prototypes, so Express never has to change them.
 *
 * Express's `app.handle` gives every request and response the app's prototypes
 * (`Object.setPrototypeOf(req, app.request)`, likewise `res`). On Node 20's V8 that is slow for
 * what follows: every layer of the chain reads and writes `req` and `res`. node:http lets a server
 * name the classes it makes requests and responses with (its `IncomingMessage` and
 * `ServerResponse` options). These are subclasses of node:http's own, and `use(app)` makes their
 * prototypes the app's: each gets what the app's prototype held (Express's `app`), inherits
 * Express's methods the same way, and becomes the app's `request` and `response`. Express's
 * `setPrototypeOf` then finds nothing to change.
 *
 * Measured here (wrk, 50 connections, an Express app with 20 small middleware, alternating
 * rounds): 3,470-3,610 req/s with node:http's classes; 6,900 with plain constructor functions
 * whose prototype is the app's (their objects are made without room for node:http's fields and
 * fall into V8's slow dictionary mode); 9,720-10,080 with these subclasses, whose objects keep
 * V8's fast layout.
 *
 * Until `use(app)` is called they make objects like node:http's own, so a server can be created
 * (and listen) before the app exists.
 */
export function expressMessages(): ExpressMessages {
  class AppRequest extends http.IncomingMessage {}
  class AppResponse extends http.ServerResponse {}
  return {
    options: { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof http.ServerResponse },
    use(app) {
      checkPrototypes(app);
      adopt(app, 'request', AppRequest.prototype);
      adopt(app, 'response', AppResponse.prototype);
    },
  };
}

/** Makes `target` stand where the app's prototype stood: the same parent, the same own properties, and the app's reference. */
function adopt(app: ExpressPrototypes, key: 'request' | 'response', target: object): void {
  const current = app[key];
  if (current === target) return;
  Object.setPrototypeOf(target, Object.getPrototypeOf(current) as object);
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(current));
  app[key] = target;
}

/**
 * The startup check: the app's prototypes must sit on node:http's, or the objects made with them
 * would lack node:http's methods. Fails loudly, naming this file, if Express ever changes that.
 */
function checkPrototypes(app: ExpressPrototypes): void {
  const fits = (proto: unknown, base: object) => typeof proto === 'object' && proto !== null && Object.prototype.isPrototypeOf.call(base, proto);
  if (!fits(app.request, http.IncomingMessage.prototype) || !fits(app.response, http.ServerResponse.prototype)) {
    throw new Error(
      "Express's app.request and app.response no longer inherit from node:http's IncomingMessage and ServerResponse. " +
        'Check src/http/express-messages.ts against the installed Express before upgrading.',
    );
  }
}
