/** The rules for what a person types on the account pages, in one place. */

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

/** The typed confirmation of the account deletion. */
export const DELETE_CONFIRMATION = 'DELETE';

/** A new email address: one, trimmed, at most 254 characters (RFC 5321), name@domain.tld. */
export function parseNewEmail(raw: unknown): { ok: true; email: string } | { ok: false; error: string } {
  if (Array.isArray(raw)) return { ok: false, error: 'Enter one email address.' };
  const email = typeof raw === 'string' ? raw.trim() : '';
  if (email === '') return { ok: false, error: 'Enter your new email address.' };
  if (email.length > 254) return { ok: false, error: 'An email address has at most 254 characters.' };
  if (!EMAIL.test(email)) return { ok: false, error: 'Enter an email address such as name@example.com.' };
  return { ok: true, email: email.toLowerCase() };
}

export function confirmsDeletion(raw: unknown): boolean {
  return typeof raw === 'string' && raw.trim() === DELETE_CONFIRMATION;
}
