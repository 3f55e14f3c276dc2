import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Logger } from '../logging/logger.js';
import { createRefusalAggregator } from './refusals.js';
import type { AuditRepository } from './repository.js';
import { requestLogger } from '../http/request-logging.js';

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
  | 'import.undone'
  | 'data.exported'
  | 'data.restored'
  | 'data.deleted'
  | 'password.reset_requested'
  | 'email.changed'
  | 'mfa.removed'
  | 'admin.mfa_removed'
  | 'account.deleted'
  | 'account.delete_failed';

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
export function createAuditService(repo: AuditRepository, logger: Logger, now: () => Date = () => new Date(), opts: { refusalWindowMs?: number } = {}) {
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

  function record(req: Request, type: AuditType, input: AuditInput = {}): Promise<void> {
    return write(type, { actorSub: req.user?.sub ?? null, ip: req.ip ?? null, requestId: typeof req.id === 'string' ? req.id : null }, input, requestLogger(req, logger));
  }

  const refusals = createRefusalAggregator({
    windowMs: opts.refusalWindowMs ?? 60_000,
    now: () => now().getTime(),
    write: (req, type, base, detail) =>
      write(type as AuditType, { actorSub: null, ip: base.ip, requestId: req && typeof req.id === 'string' ? req.id : null }, { detail }, req?.log ?? logger),
  });

  return {
    /** Records an event about the current request (its user, IP and request id). */
    record,
    /** Records an event with no browser request behind it (e.g. a back-channel logout). */
    recordSystem(type: AuditType, input: AuditInput = {}): Promise<void> {
      return write(type, { actorSub: null, ip: null, requestId: null }, input, logger);
    },
    /**
     * A refused request (CSRF failure, rate limit): recorded like any event for a signed-in user;
     * for anonymous clients aggregated per client and window (see refusals.ts).
     */
    recordRefused(req: Request, type: 'csrf.failure' | 'rate.limited', detail: Record<string, unknown>): Promise<void> {
      if (req.user) return record(req, type, { detail });
      return refusals.record(req, type, detail);
    },
    flushRefusals: (all = false) => refusals.flush(all),
    /** One page of events, newest first, strictly older than `before` (the last row of the page before). */
    page: (limit: number, before?: { at: string; id: string }) => repo.page(limit, before),
    /** Deletes events older than the retention period. */
    prune: (retentionDays: number) => repo.deleteBefore(new Date(now().getTime() - retentionDays * 86_400_000).toISOString()),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
