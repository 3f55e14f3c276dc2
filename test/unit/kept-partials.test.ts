import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptPartials } from '../../src/http/fixed-partials.js';
import { keepable } from '../../src/lib/freeze.js';
import { percent, viewHelpers } from '../../src/http/view-helpers.js';

/** A views folder of its own: an outer partial that includes an inner one. */
let views: string;
beforeEach(() => {
  views = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-kept-'));
  fs.mkdirSync(path.join(views, 'part'));
  fs.writeFileSync(path.join(views, 'part', 'outer.ejs'), "<p><%= name %></p><%- include('/part/inner') %>");
  fs.writeFileSync(path.join(views, 'part', 'inner.ejs'), '<i>first <%= name %></i>');
});
afterEach(() => fs.rmSync(views, { recursive: true, force: true }));

const rewriteInner = () => fs.writeFileSync(path.join(views, 'part', 'inner.ejs'), '<i>second <%= name %></i>');

describe('kept partials', () => {
  it('renders once per keepable data object and hands back the same markup', () => {
    const kept = keptPartials(views, true);
    const data = keepable({ name: 'A & B' });
    const first = kept('part/outer', data);
    expect(first).toBe('<p>A &amp; B</p><i>first A &amp; B</i>');
    rewriteInner();
    expect(kept('part/outer', data)).toBe(first);
  });

  it('renders data that was not made keepable every time, frozen or not', () => {
    const kept = keptPartials(views, true);
    const data = { name: 'A' };
    kept('part/outer', data);
    data.name = 'B';
    expect(kept('part/outer', data)).toBe('<p>B</p><i>first B</i>');
    let reads = 0;
    const frozen = Object.freeze({
      get name() {
        reads++;
        return 'C';
      },
    });
    expect(kept('part/outer', frozen)).toBe(kept('part/outer', frozen));
    expect(reads).toBe(2);
  });

  it('keeps the markup on the data itself, frozen all the way down, out of its keys and of what a template sees', () => {
    fs.writeFileSync(path.join(views, 'part', 'keys.ejs'), '<%= Object.keys(locals).filter((k) => k !== "percent").join(",") %>');
    const kept = keptPartials(views, true);
    const data = keepable({ name: 'A', rows: [{ n: 1 }] });
    expect(Object.isFrozen(data) && Object.isFrozen(data.rows) && Object.isFrozen(data.rows[0])).toBe(true);
    expect(Object.keys(data)).toEqual(['name', 'rows']);
    expect(JSON.stringify(data)).toBe('{"name":"A","rows":[{"n":1}]}');
    expect(kept('part/keys', data)).toBe('name,rows');
  });

  it('compiles the partials a kept partial includes once when caching, not on every new data object', () => {
    const kept = keptPartials(views, true);
    expect(kept('part/outer', keepable({ name: 'A' }))).toBe('<p>A</p><i>first A</i>');
    rewriteInner();
    // A new data object renders anew, with the include compiled at first use (read from disk once).
    expect(kept('part/outer', keepable({ name: 'B' }))).toBe('<p>B</p><i>first B</i>');
  });

  it('reads every partial from disk each time with caching off (development), so edits show', () => {
    const kept = keptPartials(views, false);
    const data = keepable({ name: 'A' });
    expect(kept('part/outer', data)).toBe('<p>A</p><i>first A</i>');
    rewriteInner();
    expect(kept('part/outer', data)).toBe('<p>A</p><i>second A</i>');
  });

  it('offers the views\' helpers to a kept partial and to what it includes, beside its data', () => {
    fs.writeFileSync(path.join(views, 'part', 'share.ejs'), "<b><%= percent(share) %></b><%- include('/part/inner') %><%= percent(null) %>");
    fs.writeFileSync(path.join(views, 'part', 'inner.ejs'), '<i><%= percent(0.5) %></i>');
    const kept = keptPartials(views, true, viewHelpers);
    expect(kept('part/share', keepable({ share: 0.254 }))).toBe('<b>25%</b><i>50%</i>—');
  });
});

describe('percent', () => {
  it('writes a share as a whole percent, rounded, and an em dash where there is no share', () => {
    expect([percent(0), percent(0.005), percent(0.994), percent(1.5), percent(-0.25), percent(null)]).toEqual(['0%', '1%', '99%', '150%', '-25%', '—']);
  });
});
