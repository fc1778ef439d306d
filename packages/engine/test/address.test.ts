// The one host:port parser and formatter: every command flag, the keeper's seeds and the plugins read
// and print addresses through these.
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parsePeerAddress } from '../src/address.js';

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:18444', undefined, { host: '127.0.0.1', port: 18444 }],
    [' seed.example.org:8333 ', undefined, { host: 'seed.example.org', port: 8333 }],
    ['localhost', 8001, { host: 'localhost', port: 8001 }],
    ['[::1]:18444', undefined, { host: '::1', port: 18444 }],
    ['[2001:db8::1]', 8333, { host: '2001:db8::1', port: 8333 }],
    ['2001:db8::1', 8333, { host: '2001:db8::1', port: 8333 }],
    // A bare IPv6 address never carries a port: this is the address ::1:8333 on the default port.
    ['::1:8333', 30303, { host: '::1:8333', port: 30303 }],
    ['10.0.0.1:1', undefined, { host: '10.0.0.1', port: 1 }],
    ['10.0.0.1:65535', 8333, { host: '10.0.0.1', port: 65535 }],
  ])('%j (default port %j)', (text, defaultPort, expected) => {
    expect(parseAddress(text, defaultPort)).toEqual(expected);
  });

  it.each([
    ['nonsense', undefined, /"nonsense" is not an address: a port is required \(host:port\)/],
    ['::1', undefined, /"::1" is not an address: a port is required \(\[v6\]:port\)/],
    ['host:notaport', 1, /"host:notaport" is not an address: port must be a number/],
    ['127.0.0.1:99999', undefined, /port 99999 is out of range 1-65535/],
    ['127.0.0.1:0', undefined, /port 0 is out of range/],
    ['[example.org]:1', undefined, /example\.org is not an IPv6 address/],
    ['a b:1', undefined, /expected host:port/],
    [':8333', undefined, /expected host:port/],
  ])('refuses %j in one line', (text, defaultPort, message) => {
    expect(() => parseAddress(text, defaultPort)).toThrow(message);
    try {
      parseAddress(text, defaultPort);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('parsePeerAddress', () => {
  it('reads a key before @ and leaves plain addresses alone', () => {
    expect(parsePeerAddress('ab12@[::1]:30303')).toEqual({ host: '::1', port: 30303, key: 'ab12' });
    expect(parsePeerAddress('127.0.0.1', 30303)).toEqual({ host: '127.0.0.1', port: 30303 });
    expect(() => parsePeerAddress('a/b@127.0.0.1:1')).toThrow(/bad key before "@"/);
  });
});

describe('formatAddress', () => {
  it('brackets IPv6 only, and parseAddress reads back what it prints', () => {
    for (const [host, port, text] of [
      ['127.0.0.1', 18444, '127.0.0.1:18444'],
      ['node.example', 8001, 'node.example:8001'],
      ['::1', 8001, '[::1]:8001'],
      ['2001:db8::ffff:1.2.3.4', 8333, '[2001:db8::ffff:1.2.3.4]:8333'],
    ] as const) {
      expect(formatAddress(host, port)).toBe(text);
      expect(parseAddress(text)).toEqual({ host, port });
    }
  });
});
