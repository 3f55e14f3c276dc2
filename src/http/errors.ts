/** Errors that carry the HTTP status and a message that is safe to show to the person. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Shown to the user as is: never put internals here. */
    readonly publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(publicMessage, options);
    this.name = 'HttpError';
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'We could not find that page.') {
    super(404, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'You do not have access to this page.') {
    super(403, message);
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message = 'The service is briefly unavailable. Please try again in a moment.', options?: { cause?: unknown }) {
    super(503, message, options);
  }
}
