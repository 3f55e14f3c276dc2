import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { createAdapterClass } from './adapter.js';
import type { DevAccounts } from './accounts.js';
import { DATABASE_CONNECTION } from './accounts.js';
import type { DevIdpKeys } from './keys.js';
import { interactionPolicyWithMfa, MFA_POLICY } from './mfa.js';
import type { DevIdpPages } from './pages.js';
import { isLoopbackHost } from '../config/hosts.js';

export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Where the provider POSTs logout tokens when a session ends at the provider. */
  backchannelLogoutUri?: string;
}

export interface ProviderOptions {
  issuer: string;
  client: DevClient;
  rolesClaim: string;
  socialConnections: string[];
  accounts: DevAccounts;
  keys: DevIdpKeys;
  adapter: ReturnType<typeof createAdapterClass>;
  pages: DevIdpPages;
  /** Test knob: behave like a provider that ignores acr_values (never asks for MFA). */
  ignoreAcrValues: boolean;
}

/**
 * An oidc-provider configured to look like an Auth0 tenant from the app's side: Auth0's
 * endpoint paths, the `connection` parameter, a namespaced roles claim and email_verified in
 * the ID token, and first-party consent granted without a prompt.
 */
export function createProvider(o: ProviderOptions): Provider {
  const allowedConnections = new Set([DATABASE_CONNECTION, ...o.socialConnections]);

  const configuration: Configuration = {
    adapter: o.adapter,
    clients: [
      {
        client_id: o.client.clientId,
        client_secret: o.client.clientSecret,
        redirect_uris: [o.client.redirectUri],
        post_logout_redirect_uris: [o.client.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
        ...(o.client.backchannelLogoutUri
          ? { backchannel_logout_uri: o.client.backchannelLogoutUri, backchannel_logout_session_required: true }
          : {}),
      },
    ],
    acrValues: [MFA_POLICY],
    jwks: { keys: o.keys.signingKeys as never },
    cookies: {
      keys: o.keys.cookieKeys,
      // Renamed: the app runs on the same host name, and cookies are not scoped by port.
      names: { session: 'devidp_session', interaction: 'devidp_interaction', resume: 'devidp_resume' },
    },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      end_session: '/v2/logout',
    },
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      // amr and auth_time in every ID token, as Auth0 sends them: the app's MFA checks read both.
      openid: ['sub', 'amr', 'auth_time', o.rolesClaim],
      profile: ['name', 'nickname', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    // Auth0 puts profile and email claims in the ID token itself.
    conformIdTokenClaims: false,
    extraParams: {
      // Auth0's connection parameter: only connections this tenant has are accepted.
      connection(_ctx: KoaContextWithOIDC, value: string | undefined) {
        if (value !== undefined && !allowedConnections.has(value)) {
          throw new errors.InvalidRequest('the connection is not enabled for this application');
        }
      },
      audience: null,
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = await o.pages.render('logout', { title: 'Signing out', form });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = await o.pages.render('logged-out', { title: 'Signed out' });
        },
      },
    },
    interactions: { policy: interactionPolicyWithMfa(o.ignoreAcrValues), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The app is on loopback, which the provider's SSRF guard refuses; this provider only ever
    // calls its registered client, so allow loopback targets and nothing else.
    fetch: (url, options) => {
      const target = new URL(url instanceof Request ? url.url : String(url));
      if (!isLoopbackHost(target.hostname)) return Promise.reject(new Error('the development provider only calls loopback clients'));
      const { dispatcher: _ssrfGuard, ...rest } = (options ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(target, rest);
    },
    async loadExistingGrant(ctx) {
      // Every client of this provider is first-party: grant what it asks for, no consent screen.
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const existingId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = (existingId && (await ctx.oidc.provider.Grant.find(existingId))) ||
        new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...(ctx.oidc.requestParamScopes ?? [])].join(' ') || 'openid');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, sub) {
      const account = o.accounts.findBySub(sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        async claims() {
          return {
            sub: account.sub,
            name: account.name,
            nickname: account.email.split('@')[0],
            email: account.email,
            email_verified: account.emailVerified,
            [o.rolesClaim]: account.roles,
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = await o.pages.render('error', { title: 'Sign-in error', error: out.error, description: out.error_description });
    },
    ttl: {
      Session: 24 * 3600,
      Interaction: 3600,
      Grant: 24 * 3600,
      AuthorizationCode: 60,
      AccessToken: 3600,
      IdToken: 3600,
    },
  };

  return new Provider(o.issuer, configuration);
}
