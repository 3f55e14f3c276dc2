import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Logger } from '../../logging/logger.js';
import type { AuditRepository } from './repository.js';

/** Security events the admin dashboard shows and the checklist asks to be recorded. */
export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'callback.error'
  | 'access.denied'
  | 'mfa.step_up'
  | 'mfa.step_up_failed'
  | 'email.unverified_blocked'
  | 'logout'
  | 'sessions.end_others'
  | 'admin.end_sessions'
  | 'backchannel.logout'
  | 'csrf.failure'
  | 'rate.limited'
  | 'import.confirmed'
  | 'data.exported'
  | 'data.deleted';

export interface AuditInput {
  targetSub?: string | null;
  /** Small and non-secret: never tokens, codes, cookies or passwords. */
  detail?: Record<string, unknown>;
  /** Whose action it was, when not the signed-in user (e.g. before the session exists). */
  actorSub?: string | null;
}

/**
 * Writes security events to the audit table and to the log. A failure to write is logged and
 * never turns a user's request into an error: the log line still carries the event.
 */
export function createAuditService(repo: AuditRepository, logger: Logger, now: () => Date = () => new Date()) {
  async function write(type: AuditType, base: { actorSub: string | null; ip: string | null; requestId: string | null }, input: AuditInput, log: Logger) {
    const event = {
      id: crypto.randomUUID(),
      at: now().toISOString(),
      type,
      actorSub: input.actorSub ?? base.actorSub,
      targetSub: input.targetSub ?? null,
      ip: base.ip,
      requestId: base.requestId,
      detail: input.detail ?? {},
    };
    log.info({ audit: { type, actorSub: event.actorSub, targetSub: event.targetSub, detail: event.detail } }, `audit ${type}`);
    try {
      await repo.insert(event);
    } catch (err) {
      log.error({ err, auditType: type }, 'audit event could not be stored');
    }
  }

  return {
    /** Records an event about the current request (its user, IP and request id). */
    record(req: Request, type: AuditType, input: AuditInput = {}): Promise<void> {
      return write(
        type,
        { actorSub: req.user?.sub ?? null, ip: req.ip ?? null, requestId: typeof req.id === 'string' ? req.id : null },
        input,
        req.log ?? logger,
      );
    },
    /** Records an event with no browser request behind it (e.g. a back-channel logout). */
    recordSystem(type: AuditType, input: AuditInput = {}): Promise<void> {
      return write(type, { actorSub: null, ip: null, requestId: null }, input, logger);
    },
    recent: (limit = 50, type?: string) => repo.recent(limit, type),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
