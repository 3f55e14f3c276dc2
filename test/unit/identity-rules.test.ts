import { describe, expect, it } from 'vitest';
import { connectionButtons, connectionOfSub } from '../../src/auth/connections.js';
import { passwordProblems } from '../../src/dev-idp/password-policy.js';
import { describeDevice } from '../../src/features/profile/devices.js';
import { CURRENCY_CHOICES, parsePreferences } from '../../src/features/profile/preferences.js';

describe('password policy of the development provider', () => {
  it.each([
    ['Kettlerain1', []],
    ['kettle-rain7', []],
    ['KETTLE-RAIN7', []],
    ['Member-demo-2026', []],
    ['kettlerai', ['uses 1 of the 4 kinds of characters; at least 3 are needed']],
    ['password1', ['uses 2 of the 4 kinds of characters; at least 3 are needed', 'is too common: it is among the first ones an attacker tries']],
    // Common passwords that pass the character rule, as Auth0's dictionary refuses them.
    ['Password1!', ['is too common: it is among the first ones an attacker tries']],
    ['P@ssw0rd', ['is too common: it is among the first ones an attacker tries']],
    ['Summer2024!', ['is too common: it is among the first ones an attacker tries']],
    ['Qwerty123!', ['is too common: it is among the first ones an attacker tries']],
    ['Abcdefg1', ['is too common: it is among the first ones an attacker tries']],
    ['Welcome!!1', ['is too common: it is among the first ones an attacker tries']],
    ['Ab1!', ['is shorter than 8 characters']],
  ])('%s -> %j', (pw, expected) => {
    expect(passwordProblems(pw)).toEqual(expected);
  });
});

describe('preferences', () => {
  it('trims and collapses the display name, upper-cases the currency, and treats empty as no display name', () => {
    expect(parsePreferences({ displayName: '  Ana   Lu ', currency: 'jpy' })).toEqual({ ok: true, value: { displayName: 'Ana Lu', currency: 'JPY', numberStyle: 'dot' } });
    expect(parsePreferences({ displayName: '   ', currency: 'USD' })).toEqual({ ok: true, value: { displayName: null, currency: 'USD', numberStyle: 'dot' } });
  });

  it('names each bad field and returns what was typed', () => {
    const r = parsePreferences({ displayName: 'a\u0000b', currency: 'DOLLARS' });
    expect(r).toEqual({
      ok: false,
      errors: { displayName: expect.stringContaining('control characters'), currency: expect.stringContaining('type its code') },
      typed: { displayName: 'a\u0000b', currency: 'DOLLARS' },
    });
  });

  it('refuses a missing currency and repeated fields, and ignores unknown fields', () => {
    expect(parsePreferences({ displayName: 'A' })).toMatchObject({ ok: false, errors: { currency: 'Choose a currency.' } });
    expect(parsePreferences({ displayName: ['A', 'B'], currency: 'USD' })).toMatchObject({ ok: false, errors: { displayName: 'Send the display name once.' } });
    expect(parsePreferences({ currency: 'USD', isAdmin: 'true', userId: 'x' })).toEqual({ ok: true, value: { displayName: null, currency: 'USD', numberStyle: 'dot' } });
  });
});

describe('currency picker', () => {
  it('names every currency ("EUR — Euro") and reads a code, a picked line or a name', () => {
    expect(CURRENCY_CHOICES.find((c) => c.code === 'EUR')?.label).toBe('EUR — Euro');
    expect(CURRENCY_CHOICES.find((c) => c.code === 'JPY')?.label).toBe('JPY — Japanese Yen');
    for (const typed of ['EUR', 'eur', 'EUR — Euro', 'euro', ' Euro ']) expect(parsePreferences({ currency: typed })).toEqual({ ok: true, value: { displayName: null, currency: 'EUR', numberStyle: 'dot' } });
    expect(parsePreferences({ currency: 'Euros' })).toMatchObject({ ok: false, errors: { currency: expect.stringContaining('type its code') } });
    expect(parsePreferences({ currency: 'XYZ' })).toMatchObject({ ok: false });
  });
});

describe('connections', () => {
  it('names the connection from the sub prefix', () => {
    expect(connectionOfSub('auth0|abc')).toBe('Email and password');
    expect(connectionOfSub('google-oauth2|123')).toBe('Google');
    expect(connectionOfSub('windowslive|9')).toBe('Microsoft');
    expect(connectionOfSub('samlp|acme|x')).toBe('samlp');
  });

  it('has readable names and icons for the common social connections', () => {
    const buttons = connectionButtons(['google-oauth2', 'github', 'facebook', 'apple', 'windowslive', 'linkedin']);
    expect(buttons.map((b) => b.label)).toEqual(['Google', 'GitHub', 'Facebook', 'Apple', 'Microsoft', 'linkedin']);
    expect(buttons.map((b) => b.iconUrl)).toEqual(['/icons/google.svg', '/icons/github.svg', '/icons/facebook.svg', '/icons/apple.svg', '/icons/microsoft.svg', '/icons/key.svg']);
  });
});

describe('describeDevice', () => {
  it('turns a user agent into something a person recognises', () => {
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36')).toBe('Chrome on Windows');
    expect(describeDevice('')).toBe('Unknown device');
    expect(describeDevice(undefined)).toBe('Unknown device');
  });
});
