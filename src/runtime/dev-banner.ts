import type { DevIdp } from '../dev-idp/index.js';

/** What a newcomer needs from the embedded provider: the demo accounts and where mail goes. */
export function devBanner(idp: DevIdp, workers: number): string {
  const lines = [
    '',
    '  DEVELOPMENT IDENTITY PROVIDER: for local development only, never for production.',
    `  Issuer: ${idp.issuer}`,
    ...(workers > 1 ? [`  It runs in the primary process only (one process); the ${workers} workers sign people in through it.`] : []),
    '  Demo accounts:',
    ...idp.demoAccounts.map((a) => `    ${a.email.padEnd(24)} password: ${a.password.padEnd(22)} (${a.description})`),
    ...idp.demoAccounts.filter((a) => a.totpSecret).map((a) => `  Authenticator key of ${a.email} (add it to any TOTP app): ${a.totpSecret}`),
    '  Social buttons sign in as a simulated user of each connection.',
    `  Verification emails and other messages: ${idp.issuer}/outbox`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
