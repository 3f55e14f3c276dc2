/** Errors that carry the HTTP status and a message that is safe to show to the person. */
export class HttpError extends Error {
  /** A page of its own instead of the generic error page, with what it needs to render. */
  view?: { page: string; title: string; locals?: Record<string, unknown> };

  constructor(
    readonly status: number,
    /** Shown to the user as is: never put internals here. */
    readonly publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(publicMessage, options);
    this.name = 'HttpError';
  }

  withView(page: string, title: string, locals: Record<string, unknown> = {}): this {
    this.view = { page, title, locals };
    return this;
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
