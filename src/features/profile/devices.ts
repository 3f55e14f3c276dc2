import Bowser from 'bowser';
import { ForgetfulMap } from '../../lib/forgetful-map.js';

/**
 * Parsing a user agent is slow next to the rest of a page, and a person has few distinct ones.
 * Bounded: user agents come from requests, so an attacker could send endless new ones.
 */
const described = new ForgetfulMap<string, string>(500);

/** "Firefox on Linux", "Safari on iOS (mobile)": enough for a person to recognise their device. */
export function describeDevice(userAgent: unknown): string {
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return 'Unknown device';
  const known = described.get(userAgent);
  if (known !== undefined) return known;
  const p = Bowser.parse(userAgent);
  const browser = p.browser.name ?? 'Unknown browser';
  const os = p.os.name ? ` on ${p.os.name}` : '';
  const type = p.platform.type && p.platform.type !== 'desktop' ? ` (${p.platform.type})` : '';
  const description = `${browser}${os}${type}`;
  described.set(userAgent, description);
  return description;
}
