import http from 'node:http';
import type { Socket } from 'node:net';

/** What this module needs of an Express app: the objects it makes every request and response inherit from. */
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
 * Express's `app.handle` gives every request and response its own prototypes
 * (`Object.setPrototypeOf(req, app.request)`, likewise `res`). On Node 20's V8 an object whose
 * prototype was changed after it was made is slow for every later property access, and every
 * layer of the chain reads and writes `req` and `res`. Measured here (wrk, 50 connections, an
 * Express app with 20 small middleware): 4,100-5,500 req/s with node:http's own classes against
 * 8,800-10,500 with these. node:http lets a server name the classes it makes requests and responses
 * with (the `IncomingMessage` and `ServerResponse` options); these two make node:http's own
 * objects (its constructors run unchanged) whose prototype is already the app's, so Express's
 * `setPrototypeOf` finds nothing to change.
 *
 * Until `use(app)` is called they make plain node:http objects, so a server can be created (and
 * listen) before the app exists.
 */
export function expressMessages(): ExpressMessages {
  let requestPrototype: object = http.IncomingMessage.prototype;
  let responsePrototype: object = http.ServerResponse.prototype;
  // node:http's constructors are plain functions: called on the new object, they set it up
  // exactly as `new` would, on an object whose prototype is already the app's. (Reflect.construct
  // with these as new.target measured slower than node:http's own classes.)
  function AppRequest(this: http.IncomingMessage, socket: Socket): void {
    (http.IncomingMessage as unknown as (this: http.IncomingMessage, socket: Socket) => void).call(this, socket);
  }
  function AppResponse(this: http.ServerResponse, req: http.IncomingMessage, options?: object): void {
    (http.ServerResponse as unknown as (this: http.ServerResponse, req: http.IncomingMessage, options?: object) => void).call(this, req, options);
  }
  const setPrototypes = () => {
    AppRequest.prototype = requestPrototype;
    AppResponse.prototype = responsePrototype;
  };
  setPrototypes();
  return {
    options: { IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage, ServerResponse: AppResponse as unknown as typeof http.ServerResponse },
    use(app) {
      checkPrototypes(app);
      requestPrototype = app.request;
      responsePrototype = app.response;
      setPrototypes();
    },
  };
}

/**
 * The startup check: the app's prototypes must sit on node:http's, or the objects made with them
 * would lack node:http's methods. Fails loudly, naming this file, if Express ever changes that.
 */
function checkPrototypes(app: ExpressPrototypes): void {
  // A class constructor cannot be called on an object made elsewhere.
  const callable = (f: unknown) => typeof f === 'function' && !/^class\b/.test(Function.prototype.toString.call(f));
  if (!callable(http.IncomingMessage) || !callable(http.ServerResponse)) {
    throw new Error(
      "node:http's IncomingMessage and ServerResponse are no longer plain constructor functions. " +
        'Check src/http/express-messages.ts against this Node version.',
    );
  }
  const fits = (proto: unknown, base: object) => typeof proto === 'object' && proto !== null && Object.prototype.isPrototypeOf.call(base, proto);
  if (!fits(app.request, http.IncomingMessage.prototype) || !fits(app.response, http.ServerResponse.prototype)) {
    throw new Error(
      "Express's app.request and app.response no longer inherit from node:http's IncomingMessage and ServerResponse. " +
        'Check src/http/express-messages.ts against the installed Express before upgrading.',
    );
  }
}
