// The benchmark's practical ceiling: what a signed-in page must do at least, written plainly.
// Express 5, helmet with a per-request CSP nonce, a signed opaque session id checked and looked up
// in SQLite (one prepared statement, WAL), an EJS layout plus page (compiled once), and one pino
// JSON line per request to a file. Prints the cookie of the one session it holds, then "ready".
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';

const secret = crypto.randomBytes(32);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-lean-'));
const db = new Database(path.join(dir, 'sessions.sqlite'));
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL)');
const sessionId = crypto.randomBytes(24).toString('base64url');
const user = { sub: 'auth0|lean', name: 'Lean Reference', email: 'lean@example.com', roles: ['member'] };
db.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(sessionId, JSON.stringify({ user }), Date.now() + 3600_000);
const findSession = db.prepare('SELECT data FROM sessions WHERE id = ? AND expires_at > ?');

const sign = (id) => `${id}.${crypto.createHmac('sha256', secret).update(id).digest('base64url')}`;
function unsign(value) {
  const dot = value.lastIndexOf('.');
  if (dot < 0) return null;
  const id = value.slice(0, dot);
  const expected = Buffer.from(sign(id));
  const given = Buffer.from(value);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? id : null;
}

const logger = pino(pino.destination({ dest: path.join(dir, 'requests.log'), sync: false }));

const app = express();
app.disable('x-powered-by');
app.set('view engine', 'ejs');
app.set('views', path.join(import.meta.dirname, 'lean-views'));
app.set('view cache', true);
app.use(function requestLog(req, res, next) {
  const started = performance.now();
  res.once('finish', () => logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
  next();
});
app.use(function cspNonce(_req, res, next) {
  res.locals.nonce = crypto.randomBytes(16).toString('base64');
  next();
});
app.use(helmet({ contentSecurityPolicy: { directives: { scriptSrc: [(_req, res) => `'nonce-${res.locals.nonce}'`] } } }));
app.use(function session(req, res, next) {
  const cookie = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const id = cookie ? unsign(decodeURIComponent(cookie)) : null;
  const row = id ? findSession.get(id, Date.now()) : undefined;
  req.session = row ? JSON.parse(row.data) : null;
  next();
});
app.get('/profile', function profile(req, res) {
  if (!req.session) return res.status(401).send('sign in');
  res.set('Cache-Control', 'no-store');
  res.render('profile', { user: req.session.user });
});
// LEAN_PROTOTYPES=1: the same app on a server whose requests and responses are born with
// Express's prototypes, as the app's are (src/http/express-messages.ts); the benchmark shows both.
const server = process.env.LEAN_PROTOTYPES === '1' ? await bornWithExpressPrototypes(app) : http.createServer(app);
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`cookie sid=${encodeURIComponent(sign(sessionId))}\nready\n`));

async function bornWithExpressPrototypes(expressApp) {
  const { expressMessages } = await import('../dist/src/http/express-messages.js');
  const messages = expressMessages();
  messages.use(expressApp);
  return http.createServer(messages.options, expressApp);
}
process.on('SIGTERM', () => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
