/**
 * What each measured page leaves to the garbage collector: how much of a request's memory is
 * moved from the young generation into old space (V8's `--trace-gc-nvp`, summed over the load),
 * and what the scavenges and full collections cost. Objects that die young cost a scavenge
 * nothing; each one promoted is copied, then kept until a full collection, and full collections
 * stall every request in flight (the benchmark's tail).
 */
import fs from 'node:fs';
import { appLoad, buildApp, startSignedIn, stopApp } from './speed.js';
import { wrk } from './wrk.js';

interface Options {
  seconds: number;
  connections: number;
  pages: string[];
}

const field = (line: string, key: string) => Number(new RegExp(`[ ,]${key}=([\\d.]+)`).exec(line)?.[1] ?? 0);

/** Sums V8's one-line-per-collection trace: `gc=s` lines are scavenges, `gc=mc`/`gc=ms` full collections. */
export function summariseGcTrace(text: string, requests: number) {
  const lines = text.split('\n');
  const scavenges = lines.filter((l) => l.includes('gc=s '));
  const full = lines.filter((l) => /gc=m[cs] /.test(l));
  const sum = (ls: string[], key: string) => ls.reduce((a, l) => a + field(l, key), 0);
  return {
    promotedKbPerRequest: sum(scavenges, 'promoted') / 1024 / requests,
    allocatedKbPerRequest: sum(scavenges, 'allocated') / 1024 / requests,
    scavenges: scavenges.length,
    scavengeMs: sum(scavenges, 'pause'),
    fullCollections: full.length,
    fullMs: sum(full, 'pause'),
  };
}

export async function gcRows(o: Options): Promise<Array<[string, string]>> {
  buildApp();
  const rows: Array<[string, string]> = [];
  for (const page of o.pages) {
    // Its own process: the trace is written to the app's stdout, the request log's file.
    const app = await startSignedIn({}, ['--trace-gc-nvp'], 'separate');
    const load = appLoad(app, page, o.connections);
    try {
      await wrk(load.url, { ...load.o, seconds: 2 });
      const from = fs.statSync(app.logFile).size;
      const result = await wrk(load.url, { ...load.o, seconds: o.seconds });
      const trace = fs.readFileSync(app.logFile, 'utf8').slice(from);
      const s = summariseGcTrace(trace, result.requests);
      rows.push([
        `${page}: memory moved to old space`,
        `${s.promotedKbPerRequest.toFixed(1)} KB a request (of ${s.allocatedKbPerRequest.toFixed(0)} KB allocated); ${s.scavenges} scavenges (${s.scavengeMs.toFixed(0)} ms), ` +
          `${s.fullCollections} full collections (${s.fullMs.toFixed(0)} ms of pauses) in ${o.seconds} s at ${result.rps.toFixed(0)} req/s, under --trace-gc-nvp`,
      ]);
    } finally {
      await stopApp(app);
    }
  }
  return rows;
}
