import crypto from 'node:crypto';
import express, { type Router } from 'express';

/** How long a browser keeps a fragment before asking again (with its ETag, answered 304 when unchanged). */
const FRAGMENT_MAX_AGE_SECONDS = 24 * 60 * 60;

/** Where the fragments are mounted: one path prefix, so other requests pass by without entering their router. */
export const FRAGMENTS_MOUNT = '/fragments';

/** Where the pages find a fragment (views name it in `data-suggestions`; public/app.js fetches it). */
export const fragmentPath = (name: string) => `${FRAGMENTS_MOUNT}/${name}.html`;

/**
 * Markup that is the same for everyone and every page, served once and kept by the browser instead
 * of being repeated in every page: the currency field's suggestions (162 lines, 8.2 KB, more than
 * half of the profile page). A page's script moves the fragment's datalists into the page; without
 * scripts the field still takes a code or a name. Mounted before the session: no cookie is read
 * or set, and nothing personal is in it. Mount it at `FRAGMENTS_MOUNT`.
 */
export function fragmentRoutes(fixedPartial: (name: string) => string, names: readonly string[]): Router {
  const router = express.Router();
  // A fragment's ETag, worked out again only when its markup changes (with view caching off, in development, after an edit).
  const last = new Map<string, { html: string; etag: string }>();
  const etagOf = (name: string, html: string) => {
    let kept = last.get(name);
    if (kept?.html !== html) {
      kept = { html, etag: `"${crypto.createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
      last.set(name, kept);
    }
    return kept.etag;
  };
  for (const name of names) {
    router.get(`/${name}.html`, function sharedFragment(req, res) {
      const html = fixedPartial(name);
      res.set({ 'Cache-Control': `public, max-age=${FRAGMENT_MAX_AGE_SECONDS}`, ETag: etagOf(name, html) });
      res.type('html');
      // res.send answers 304 without a body when the request's If-None-Match names this ETag.
      res.send(html);
    });
  }
  return router;
}
