/**
 * The environment's schema: every variable the app reads, each parsed on its own so that one bad
 * value does not hide another's problem. What depends on several variables is checked in config.ts.
 */
import { z } from 'zod';

export type NodeEnv = 'development' | 'production' | 'test';

/** Empty strings count as unset, as in most .env files. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function intInRange(name: string, min: number, max: number, fallback: number) {
  return optionalString.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });
}

const envSchema = z.object({
  NODE_ENV: optionalString.transform((v, ctx): NodeEnv => {
    if (v === undefined) return 'development';
    if (v === 'development' || v === 'production' || v === 'test') return v;
    ctx.addIssue({ code: 'custom', message: 'NODE_ENV must be development, production or test' });
    return z.NEVER;
  }),
  PORT: intInRange('PORT', 1, 65535, 3000),
  HOST: optionalString,
  DEV_IDP_PORT: intInRange('DEV_IDP_PORT', 0, 65535, 3001),
  BASE_URL: optionalString,
  AUTH0_CALLBACK_URL: optionalString,
  AUTH0_DOMAIN: optionalString,
  AUTH0_ISSUER_BASE_URL: optionalString,
  AUTH0_CLIENT_ID: optionalString,
  AUTH0_CLIENT_SECRET: optionalString,
  AUTH0_AUDIENCE: optionalString,
  AUTH0_MGMT_CLIENT_ID: optionalString,
  AUTH0_MGMT_CLIENT_SECRET: optionalString,
  AUTH0_MGMT_DOMAIN: optionalString,
  AUTH0_DB_CONNECTION: optionalString,
  AUTH0_ROLES_CLAIM: optionalString,
  AUTH0_SOCIAL_CONNECTIONS: z.string().optional(),
  APP_SECRET_KEY: optionalString,
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: intInRange('DATABASE_POOL_MAX', 1, 200, 10),
  REDIS_URL: optionalString,
  WORKERS: optionalString,
  TRUST_PROXY: optionalString,
  LOG_LEVEL: optionalString,
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SESSION_IDLE_MINUTES: intInRange('SESSION_IDLE_MINUTES', 1, 24 * 60, 30),
  SESSION_ABSOLUTE_HOURS: intInRange('SESSION_ABSOLUTE_HOURS', 1, 30 * 24, 12),
  MFA_MODE: optionalString.transform((v, ctx): 'sensitive' | 'always' => {
    if (v === undefined) return 'sensitive';
    if (v === 'sensitive' || v === 'always') return v;
    ctx.addIssue({ code: 'custom', message: 'MFA_MODE must be sensitive or always' });
    return z.NEVER;
  }),
  MFA_MAX_AGE_MINUTES: intInRange('MFA_MAX_AGE_MINUTES', 1, 24 * 60, 15),
  RATE_LIMIT_WINDOW_SECONDS: intInRange('RATE_LIMIT_WINDOW_SECONDS', 1, 3600, 60),
  RATE_LIMIT_AUTH_MAX: intInRange('RATE_LIMIT_AUTH_MAX', 1, 100_000, 30),
  RATE_LIMIT_POST_MAX: intInRange('RATE_LIMIT_POST_MAX', 1, 100_000, 60),
  AUDIT_RETENTION_DAYS: intInRange('AUDIT_RETENTION_DAYS', 1, 3650, 180),
  HEAP_GROWING_PERCENT: intInRange('HEAP_GROWING_PERCENT', 0, 1000, 50),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the app reads, for documentation checks. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** Each variable parsed on its own; every problem is added to `problems`. */
export function parseFields(env: Record<string, string | undefined>, problems: string[]): Partial<Env> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(env[key]);
    if (r.success) out[key] = r.data;
    else problems.push(...r.error.issues.map((i) => (i.code === 'custom' ? i.message : `${key}: ${i.message}`)));
  }
  return out as Partial<Env>;
}
