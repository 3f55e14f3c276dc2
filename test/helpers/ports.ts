import fs from 'node:fs';
import net from 'node:net';

/**
 * The kernel's range of ephemeral ports: listen(0) picks from it, and so does every outgoing
 * connection for its local port. A port from it, free when a test picked it, could be taken by a
 * connection to PostgreSQL, Redis or the provider before the test's server bound it (nginx once
 * failed to start with "Address already in use" that way).
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux: assume the usual range
  }
  return [32768, 60999];
}

/** Test servers take ports from here, below the ephemeral range, where no outgoing connection is given one. */
const POOL_LOW = 20000;
const POOL_HIGH = ephemeralRange()[0] - 1;

/** Ports this process has handed out, so two servers of one test never get the same. */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function anyPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A loopback port that is free right now (for servers a test starts in another process). */
export async function freePort(): Promise<number> {
  if (POOL_HIGH - POOL_LOW >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = POOL_LOW + Math.floor(Math.random() * (POOL_HIGH - POOL_LOW + 1));
      if (handedOut.has(port) || !(await canListen(port))) continue;
      handedOut.add(port);
      return port;
    }
  }
  return anyPort();
}
