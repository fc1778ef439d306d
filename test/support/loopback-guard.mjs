// Loopback guard: loaded into every test process (vitest's forks via execArgv, CLI children and
// piscina workers via NODE_OPTIONS/execArgv). Any TCP connect, UDP send or DNS lookup that would leave
// 127.0.0.0/8 or ::1 throws, so a mistake fails loudly instead of leaving the machine.
//
// The code under test may catch that error (the engine turns it into an `unreachable` peer), so the
// throw alone proves nothing. Every refusal is also appended, one line each, to the file named by
// PEERSCOPE_LOOPBACK_VIOLATIONS: test/support/setup.ts names one per test process (worker threads and
// CLI children inherit it through the environment) and fails the test during which the file grew.
import fs from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { threadId } from 'node:worker_threads';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost']);

export function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default is localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.split('.')[0] === '127';
}

function refuse(what, host) {
  const err = new Error(`loopback guard: ${what} to ${host} refused (tests may only reach 127.0.0.0/8 or ::1)`);
  err.code = 'ELOOPBACKGUARD';
  globalThis.__loopbackGuardViolations = (globalThis.__loopbackGuardViolations ?? 0) + 1;
  const file = process.env.PEERSCOPE_LOOPBACK_VIOLATIONS;
  if (file) {
    try {
      // One short write with O_APPEND: lines from several threads and processes do not interleave.
      fs.appendFileSync(file, `${err.message} [pid ${process.pid}${threadId ? ` thread ${threadId}` : ''}]\n`);
    } catch {
      process.stderr.write(`${err.message} (and ${file} could not be written)\n`);
    }
  } else {
    process.stderr.write(`${err.message}\n`);
  }
  return err;
}

if (!globalThis.__loopbackGuardInstalled) {
  globalThis.__loopbackGuardInstalled = true;

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    let opts = args[0];
    if (Array.isArray(opts)) opts = opts[0]; // internal normalized form
    let host;
    if (opts && typeof opts === 'object') {
      if (opts.path) return connect.apply(this, args); // unix socket / named pipe
      host = opts.host;
    } else if (typeof opts === 'string' && !/^\d+$/.test(opts)) {
      return connect.apply(this, args); // IPC path
    } else {
      host = typeof args[1] === 'string' ? args[1] : undefined;
    }
    if (!isLoopback(host)) throw refuse('TCP connect', host);
    return connect.apply(this, args);
  };

  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function guardedSend(...args) {
    // send(msg, [offset, length,] port, address, cb); address is the first string after the port
    const address = args.find((a, i) => i > 0 && typeof a === 'string');
    if (address !== undefined && !isLoopback(address)) throw refuse('UDP send', address);
    if (address === undefined && this._peerAddress && !isLoopback(this._peerAddress)) throw refuse('UDP send', this._peerAddress);
    return send.apply(this, args);
  };
  const dconnect = dgram.Socket.prototype.connect;
  dgram.Socket.prototype.connect = function guardedUdpConnect(port, address, cb) {
    if (!isLoopback(typeof address === 'string' ? address : undefined)) throw refuse('UDP connect', address);
    this._peerAddress = typeof address === 'string' ? address : '127.0.0.1';
    return dconnect.call(this, port, address, cb);
  };

  const lookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, ...rest) {
    if (!isLoopback(hostname)) throw refuse('DNS lookup', hostname);
    return lookup.call(this, hostname, ...rest);
  };
  const plookup = dns.promises.lookup;
  dns.promises.lookup = async function guardedPromiseLookup(hostname, ...rest) {
    if (!isLoopback(hostname)) throw refuse('DNS lookup', hostname);
    return plookup.call(this, hostname, ...rest);
  };
  for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
    const isPromise = target === dns.promises || target === dns.promises.Resolver.prototype;
    for (const name of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'reverse']) {
      if (typeof target[name] !== 'function') continue;
      target[name] = isPromise
        ? async function guardedResolve(hostname) { throw refuse(`DNS ${name}`, hostname); }
        : function guardedResolve(hostname) { throw refuse(`DNS ${name}`, hostname); };
    }
  }
  syncBuiltinESMExports();
}
