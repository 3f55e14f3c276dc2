import type { Request } from 'express';

/**
 * True when the client wants a page rather than data. `Accept: *\/*` counts as HTML (browsers
 * navigating send it too); an explicit XHR marker or a JSON-first Accept does not.
 */
export function wantsHtml(req: Request): boolean {
  if (req.get('x-requested-with')?.toLowerCase() === 'xmlhttprequest') return false;
  return req.accepts(['html', 'json']) === 'html';
}
