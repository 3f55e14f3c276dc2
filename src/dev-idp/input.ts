/** What the development provider's forms and APIs accept, in one place. */

/** A form or JSON field as text, cut at `max` characters; anything else is ''. */
export const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

/** The provider's idea of an email address: something@domain.tld, no spaces. */
export const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
