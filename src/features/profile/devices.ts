import Bowser from 'bowser';

/** "Firefox on Linux", "Safari on iOS (mobile)": enough for a person to recognise their device. */
export function describeDevice(userAgent: unknown): string {
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return 'Unknown device';
  const p = Bowser.parse(userAgent);
  const browser = p.browser.name ?? 'Unknown browser';
  const os = p.os.name ? ` on ${p.os.name}` : '';
  const type = p.platform.type && p.platform.type !== 'desktop' ? ` (${p.platform.type})` : '';
  return `${browser}${os}${type}`;
}
