import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { describe, expect, it } from 'vitest';

describe('loopback guard', () => {
  it('refuses a TCP connect beyond loopback', () => {
    expect(() => net.connect(8333, '1.2.3.4')).toThrow(/loopback guard/);
    expect(() => net.connect({ host: '10.0.0.1', port: 80 })).toThrow(/loopback guard/);
  });
  it('refuses DNS lookups of public names', async () => {
    expect(() => dns.lookup('seed.bitcoin.sipa.be', () => {})).toThrow(/loopback guard/);
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(/loopback guard/);
    await expect(dns.promises.resolve4('example.com')).rejects.toThrow(/loopback guard/);
  });
  it('refuses a UDP send beyond loopback', () => {
    const socket = dgram.createSocket('udp4');
    try {
      expect(() => socket.send(Buffer.from('x'), 30303, '8.8.8.8')).toThrow(/loopback guard/);
    } finally {
      socket.close();
    }
  });
  it('lets loopback through', async () => {
    const server = net.createServer((s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (d) => (data += d)).on('end', () => resolve(data)).on('error', reject);
    });
    server.close();
    expect(text).toBe('ok');
  });
});
