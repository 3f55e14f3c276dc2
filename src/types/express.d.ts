import type { CurrentUser } from '../auth/current-user.js';
import type { Member } from '../http/load-member.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by currentUser (auth/current-user.ts) for every request after the OIDC middleware; null when anonymous. */
      user?: CurrentUser | null;
      /** Set by loadMember on finance pages: the member's stored defaults and the clock's today. */
      member?: Member;
      /** Set by flashMessages: a short message for the next page this session shows. */
      flash: (text: string, kind?: 'ok' | 'error') => void;
    }
  }
}

/** What the app itself keeps in the server-side session, beside the library's tokens. */
export interface AppSessionData {
  userSub?: string;
  csrfToken?: string;
  /** Set at login: a step-up was asked for and the provider came back without MFA. */
  mfaStepUpFailed?: boolean;
  /** A message waiting for the next page (http/flash.ts). */
  flash?: { kind: 'ok' | 'error'; text: string };

  /** Shown in the user's session list; `handle` tells this session apart from the others. */
  meta?: { ip?: string; userAgent?: string; startedAt?: string; handle?: string };
  [key: string]: unknown;
}

export {};
