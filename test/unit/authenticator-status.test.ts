import { describe, expect, it } from 'vitest';
import { createAccountService } from '../../src/features/account-management/service.js';
import type { ManagementApi } from '../../src/identity/management-api.js';
import { createLogger } from '../../src/logging/logger.js';
import { systemClock } from '../../src/clock/clock.js';

/** A provider whose answers take `ms` and say the user has an authenticator. */
function slowProvider(ms: number) {
  let asked = 0;
  const management = {
    hasAuthenticator: async () => {
      asked++;
      await new Promise((r) => setTimeout(r, ms));
      return true;
    },
  } as unknown as ManagementApi;
  const service = createAccountService({ users: {} as never, management, passwordResets: {} as never, mailer: null, logger: createLogger('silent'), clock: systemClock });
  return { service, asked: () => asked };
}

describe('the authenticator status on the profile page', () => {
  it('does not wait past waitMs for a slow provider, and the late answer serves the next view', async () => {
    const { service, asked } = slowProvider(150);
    const started = performance.now();
    expect(await service.authenticator('auth0|slow', { waitMs: 20 })).toBe('unknown');
    expect(performance.now() - started).toBeLessThan(120);
    // A second view while the question is out asks nothing new.
    expect(await service.authenticator('auth0|slow', { waitMs: 20 })).toBe('unknown');
    await new Promise((r) => setTimeout(r, 200));
    expect(await service.authenticator('auth0|slow', { waitMs: 20 })).toBe('enrolled');
    expect(asked()).toBe(1);
  });

  it('waits for the answer without waitMs (the removal path asks fresh)', async () => {
    const { service } = slowProvider(60);
    expect(await service.authenticator('auth0|slow', { fresh: true })).toBe('enrolled');
  });
});
