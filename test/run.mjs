/**
 * `npm test`: the type check, the whole suite on SQLite, then the scale-out legs:
 * - PostgreSQL: the integration and security tests (and the session store) again on PostgreSQL;
 * - Redis: the session store's contract on Redis;
 * - nginx: two app instances behind nginx sharing PostgreSQL and Redis (test/scale).
 * A leg whose servers are not configured prints one line saying how to run it and is skipped;
 * with PFC_REQUIRE_SCALE_LEGS=1 (as .ci/run sets) a skipped leg fails the run.
 * Arguments go to every vitest run; a JSON report file gets the leg's name added per leg.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env = process.env;
const required = env.PFC_REQUIRE_SCALE_LEGS === '1';
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
let failed = false;

/** Each run gets only its own leg's servers: the main run is SQLite and nothing else. */
const { PFC_TEST_POSTGRES_URL: postgres, PFC_TEST_REDIS_URL: redis, ...baseEnv } = env;

function run(command, commandArgs, extraEnv = {}) {
  const r = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...baseEnv, ...extraEnv } });
  if (r.status !== 0) failed = true;
  return r.status === 0;
}

/** The same arguments, with a JSON report written to a file of the leg's own. */
const argsFor = (leg) => args.map((a) => a.replace(/^(--outputFile\.json=.*?)(\.json)?$/, (_, file, ext) => `${file}-${leg}${ext ?? ''}`));

function leg(name, ready, howTo, files, extraEnv) {
  if (!ready) {
    console.log(`${name} leg skipped: ${howTo}`);
    if (required) {
      console.error(`${name} leg is required here (PFC_REQUIRE_SCALE_LEGS=1) but could not run.`);
      failed = true;
    }
    return;
  }
  console.log(`== ${name} leg`);
  run('npx', ['vitest', 'run', ...files, ...argsFor(name.toLowerCase())], extraEnv);
}

if (!run('npx', ['tsc', '--noEmit'])) process.exit(1);
run('npx', ['vitest', 'run', ...args]);

leg('PostgreSQL', Boolean(postgres), 'set PFC_TEST_POSTGRES_URL=postgres://USER:PASSWORD@127.0.0.1:5432/postgres (a user who may create databases) to run the integration and security tests on PostgreSQL', ['test/integration', 'test/security', 'test/unit/session-store.test.ts'], { PFC_TEST_POSTGRES_URL: postgres });
leg('Redis', Boolean(redis), 'set PFC_TEST_REDIS_URL=redis://127.0.0.1:6379 to run the session store tests on Redis', ['test/unit/session-store.test.ts'], { PFC_TEST_REDIS_URL: redis });
leg(
  'nginx',
  Boolean(postgres) && has('nginx') && has('redis-server'),
  'needs PFC_TEST_POSTGRES_URL and the nginx and redis-server commands (Debian packages nginx, redis-server) to run two instances behind nginx',
  ['test/scale'],
  { PFC_TEST_LEG: 'scale', PFC_TEST_POSTGRES_URL: postgres },
);
process.exit(failed ? 1 : 0);
