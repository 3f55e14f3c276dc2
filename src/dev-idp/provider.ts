import type BetterSqlite3 from 'better-sqlite3';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { createAdapterClass } from './adapter.js';
import type { DevAccounts } from './accounts.js';
import { DATABASE_CONNECTION } from './accounts.js';
import type { DevIdpKeys } from './keys.js';
import type { DevIdpPages } from './pages.js';

export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export interface ProviderOptions {
  issuer: string;
  client: DevClient;
  rolesClaim: string;
  socialConnections: string[];
  accounts: DevAccounts;
  keys: DevIdpKeys;
  sqlite: BetterSqlite3.Database;
  pages: DevIdpPages;
}

/**
 * An oidc-provider configured to look like an Auth0 tenant from the app's side: Auth0's
 * endpoint paths, the `connection` parameter, a namespaced roles claim and email_verified in
 * the ID token, and first-party consent granted without a prompt.
 */
export function createProvider(o: ProviderOptions): Provider {
  const allowedConnections = new Set([DATABASE_CONNECTION, ...o.socialConnections]);

  const configuration: Configuration = {
    adapter: createAdapterClass(o.sqlite),
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
      },
    ],
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
      openid: ['sub', o.rolesClaim],
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
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
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
