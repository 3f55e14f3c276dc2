import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/auth/return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/dashboard?month=2026-11#top', '/dashboard?month=2026-11#top'],
    ['/a/../dashboard', '/dashboard'],
    ['/search?q=%2F%2Fnot-a-host', '/search?q=%2F%2Fnot-a-host'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%2fevil.example',
    'https:evil.example',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x=y',
    '/\r\nSet-Cookie:x=y',
    '///evil.example',
    '/\tevil',
    'dashboard',
    '',
    ' /dashboard',
  ])('falls back for %j', (input) => {
    expect(safeReturnTo(input)).toBe('/dashboard');
  });

  it('falls back for non-strings (arrays from repeated query parameters, objects)', () => {
    expect(safeReturnTo(['/a', '/b'])).toBe('/dashboard');
    expect(safeReturnTo({ href: '/a' })).toBe('/dashboard');
    expect(safeReturnTo(undefined, '/')).toBe('/');
  });

  it('falls back for overlong values', () => {
    expect(safeReturnTo(`/${'a'.repeat(3000)}`)).toBe('/dashboard');
  });

  it('never returns anything but a single-slash rooted path', () => {
    // A small fuzz over tricky characters: whatever comes in, what comes out is a same-origin path.
    const parts = ['/', '\\', '%2f', '%5c', '.', ':', '@', 'evil.example', '%0a', '?', '#', '//', 'http:'];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = 0; j < 5; j++) s += parts[(i * 7 + j * 13 + ((i >> j) & 7)) % parts.length];
      const out = safeReturnTo(s);
      expect(out.startsWith('/')).toBe(true);
      expect(out.startsWith('//')).toBe(false);
      expect(new URL(out, 'https://app.example').origin).toBe('https://app.example');
    }
  });
});
