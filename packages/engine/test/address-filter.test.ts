// Which gossiped addresses are dialled: --allow/--deny, then Core's routability rules, with loopback
// allowed only when the whole network is on loopback (the demo, the tests).
import { describe, expect, it } from 'vitest';
import { AddressFilter } from '../src/address-filter.js';
import { isRoutable } from '../src/routable.js';

describe('isRoutable (Core CNetAddr::IsRoutable)', () => {
  it.each(['1.1.1.1', '8.8.4.4', '2a01:4f8::1', '2001:4860::8888'])('%s is a possible public peer', (h) => expect(isRoutable(h)).toBe(true));
  it.each([
    '10.0.0.1', '172.16.5.5', '172.31.255.255', '192.168.0.1', '100.64.1.1', '169.254.1.1', '127.0.0.1', '0.0.0.0', '192.0.2.1',
    '198.51.100.2', '203.0.113.3', '198.18.0.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1', 'fd00::1',
    '2001:db8::1', '2001:10::1', 'ff02::1', 'example.com', 'abc.onion',
  ])('%s is not', (h) => expect(isRoutable(h)).toBe(false));
  it('172.15/172.32 are public (only 172.16/12 is private)', () => {
    expect(isRoutable('172.15.0.1')).toBe(true);
    expect(isRoutable('172.32.0.1')).toBe(true);
  });
});

/** A filter whose seeds were on loopback (local) or included a public address. */
function filter(local: boolean, allow: string[] = [], deny: string[] = []): AddressFilter {
  const f = new AddressFilter(allow, deny);
  f.seed('127.0.0.1');
  if (!local) f.seed('8.8.4.4');
  return f;
}

describe('AddressFilter.verdict on learned addresses', () => {
  it('no lists: public addresses are dialled, private ones not; loopback only on a local network', () => {
    expect(filter(false).verdict('8.8.8.8', 'learned')).toBe('dial');
    expect(filter(false).verdict('10.0.0.1', 'learned')).toBe('non-routable');
    expect(filter(true).verdict('10.0.0.1', 'learned')).toBe('non-routable');
    expect(filter(false).verdict('127.0.0.5', 'learned')).toBe('non-routable');
    expect(filter(true).verdict('127.0.0.5', 'learned')).toBe('dial');
    expect(filter(true).verdict('::1', 'learned')).toBe('dial');
  });
  it('an allow list that names a private range is a private network crawled on purpose', () => {
    expect(filter(false, ['10.0.0.0/8']).verdict('10.1.1.1', 'learned')).toBe('dial');
    expect(filter(false, ['10.0.0.0/8']).verdict('8.8.8.8', 'learned')).toBe('not-allowed');
  });
  it('deny wins over everything', () => {
    expect(filter(true, ['10.0.0.0/8'], ['10.9.0.0/16']).verdict('10.9.1.1', 'learned')).toBe('not-allowed');
    expect(filter(false, [], ['8.8.0.0/16']).verdict('8.8.8.8', 'learned')).toBe('not-allowed');
  });
});
