import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const MFA_POLICY = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/**
 * The provider's interaction policy: the standard login and consent prompts, plus an `mfa`
 * prompt after login whenever the client asks for the MFA policy in acr_values and the session
 * has not done it. With `ignoreAcrValues` the prompt is left out, which is how tests get a
 * provider that ignores the request.
 */
export function interactionPolicyWithMfa(ignoreAcrValues: boolean) {
  const { Prompt, Check, base } = interactionPolicy;
  const policy = base();
  if (ignoreAcrValues) return policy;
  policy.add(
    new Prompt(
      { name: 'mfa', requestable: false },
      new Check('mfa_required', 'multi-factor authentication is required', 'interaction_required', (ctx: KoaContextWithOIDC) => {
        const requested = String(ctx.oidc.params?.acr_values ?? '').split(' ').includes(MFA_POLICY);
        return requested && ctx.oidc.session?.acr !== MFA_POLICY ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      }),
    ),
    1,
  );
  return policy;
}

/** Checks a 6-digit code, refusing codes from a time step at or before the last one used. */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = await verify({ secret, token: code, epochTolerance: 30, ...(lastStep !== null ? { afterTimeStep: lastStep } : {}) });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

export async function enrolment(accountLabel: string, secret: string) {
  const uri = generateURI({ issuer: 'Personal Finance Coach (development)', label: accountLabel, secret });
  return { uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) };
}

export { generate as totpCode, generateSecret as newTotpSecret };
