// Summarises a V8 CPU profile (node --cpu-prof): the functions with the most self time, and the
// share of time spent under each package. Usage: node bench/profile-summary.mjs FILE [TOP] [LAST_SECONDS]
// With LAST_SECONDS only the samples of the profile's last seconds count (the load, not the start-up).
import fs from 'node:fs';

const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample intervals.
const self = new Map();
const from = lastArg ? profile.endTime - Number(lastArg) * 1e6 : -Infinity;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => ['(idle)', '(program)'].includes(nodes.get(id).callFrame.functionName)).reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

function place(frame) {
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/src/')) return `app ${url.slice(url.indexOf('/src/') + 1)}`;
  if (url.startsWith('node:')) return url;
  return url || '(native)';
}
const label = (frame) => `${frame.functionName || '(anonymous)'} ${place(frame)}:${frame.lineNumber + 1}`;

const bySelf = new Map();
for (const [id, t] of self) {
  const key = label(nodes.get(id).callFrame);
  bySelf.set(key, (bySelf.get(key) ?? 0) + t);
}
// Inclusive time per package: a sample counts once for every package on its stack.
const byPackage = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const frame = nodes.get(n).callFrame;
    if (!frame.url) continue;
    const p = place(frame).replace(/^app .*/, 'app (src/)');
    if (!seen.has(p)) byPackage.set(p, (byPackage.get(p) ?? 0) + t);
    seen.add(p);
  }
}
// Self time per package: what each library's own code costs, whatever it calls.
const selfByPackage = new Map();
for (const [id, t] of self) {
  const frame = nodes.get(id).callFrame;
  const p = frame.url ? place(frame).replace(/^app .*/, 'app (src/)') : frame.functionName;
  selfByPackage.set(p, (selfByPackage.get(p) ?? 0) + t);
}
const out = [];
const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
out.push(`${file}\nbusy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled (idle ${((100 * idle) / total).toFixed(0)}%)\n\nself time, share of busy:\n`);
for (const [k, t] of [...bySelf].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${pct(t)}  ${k}\n`);
out.push('\nself time by package, share of busy:\n');
for (const [k, t] of [...selfByPackage].filter(([k]) => k !== '(idle)' && k !== '(program)').sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${pct(t)}  ${k}\n`);
out.push('\ninclusive time by package (a middleware counts what runs after it), share of busy:\n');
for (const [k, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${pct(t)}  ${k}\n`);
process.stdout.write(out.join(''));
process.stdout.on('error', () => undefined);
