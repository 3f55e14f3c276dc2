import { CookieJar } from 'tough-cookie';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

/**
 * A minimal browser: a cookie jar (cookies scoped by host, not port, as in real browsers),
 * manual redirects so each hop is visible, and form posting.
 */
export class TestBrowser {
  readonly jar = new CookieJar();
  readonly history: Page[] = [];

  async request(url: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml');
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, url, { ignoreError: true });
    const page = { url, status: res.status, headers: res.headers, body: await res.text() };
    this.history.push(page);
    return page;
  }

  /** Follows redirects like a browser: 303 and 302 after POST become GET. */
  async go(url: string, init: RequestInit = {}, maxHops = 10): Promise<Page> {
    let page = await this.request(url, init);
    for (let hop = 0; hop < maxHops && page.status >= 300 && page.status < 400; hop++) {
      const location = page.headers.get('location');
      if (!location) break;
      page = await this.request(new URL(location, page.url).href);
    }
    return page;
  }

  get(url: string): Promise<Page> {
    return this.go(url);
  }

  post(url: string, form: Record<string, string>): Promise<Page> {
    return this.go(url, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async cookieValue(url: string, name: string): Promise<string | undefined> {
    return (await this.jar.getCookies(url)).find((c) => c.key === name)?.value;
  }
}

/** Pulls the value of the first form field with this name out of an HTML page. */
export function formField(html: string, name: string): string {
  const m = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  if (!m?.[1]) throw new Error(`no form field ${name}`);
  return m[1].replace(/&#34;/g, '"').replace(/&amp;/g, '&');
}

/** The action of the first form whose action matches. */
export function formAction(html: string, pattern: RegExp): string {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/g)) {
    if (m[1] && pattern.test(m[1])) return m[1].replace(/&amp;/g, '&');
  }
  throw new Error(`no form with action matching ${pattern}`);
}
