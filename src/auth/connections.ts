/** How each social connection is shown on the sign-in page; unknown ones get their name and a generic icon. */
const KNOWN: Record<string, { label: string; icon: string }> = {
  'google-oauth2': { label: 'Google', icon: 'google' },
  github: { label: 'GitHub', icon: 'github' },
  facebook: { label: 'Facebook', icon: 'facebook' },
  apple: { label: 'Apple', icon: 'apple' },
  windowslive: { label: 'Microsoft', icon: 'microsoft' },
};

export interface ConnectionButton {
  connection: string;
  label: string;
  iconUrl: string;
}

export function connectionButtons(connections: string[]): ConnectionButton[] {
  return connections.map((connection) => {
    const known = KNOWN[connection];
    return { connection, label: known?.label ?? connection, iconUrl: `/icons/${known?.icon ?? 'key'}.svg` };
  });
}

/** Auth0 prefixes `sub` with the connection's strategy (`google-oauth2|…`, `auth0|…` for email and password). */
export function connectionOfSub(sub: string): string {
  const strategy = sub.includes('|') ? sub.slice(0, sub.indexOf('|')) : '';
  if (strategy === 'auth0' || strategy === '') return 'Email and password';
  return KNOWN[strategy]?.label ?? strategy;
}
