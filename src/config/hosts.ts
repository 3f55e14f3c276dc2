/** Loopback hosts: the only ones allowed to speak plain http, and only outside production. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `raw` as a URL; when it is not one, `problem` is added to `problems` and the result is undefined. */
export function urlOrProblem(raw: string, problem: string, problems: string[]): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    problems.push(problem);
    return undefined;
  }
}
