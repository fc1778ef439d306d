// The NDJSON contract: every record of real output validates against the JSON Schema files in
// docs/schemas (type, at in epoch ms, null for absent values, schema on the first record).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { expectContract, schemaOf, validate } from './support/json-schema.js';
import { CLOSED_HOST, closedPort } from './support/ports.js';
import { until } from './support/until.js';

const records = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('NDJSON records validate against docs/schemas', () => {
  it('demo --sim --json: snapshots and the summary (monitor.schema.json)', async () => {
    const { code, stdout } = await runCli(['demo', '--sim', '40', '--peers', '20', '--hostile', '0.1', '--json', '--interval', '500ms', '--duration', '2s']);
    expect(code).toBe(0);
    const all = records(stdout);
    expectContract(all, schemaOf('monitor'));
    expect(all.at(-1)!.type).toBe('summary');
    // The schema is strict: a record with a field it does not name fails.
    expect(validate({ ...all.at(-1), surprise: 1 }, schemaOf('monitor'))).not.toEqual([]);
  });

  it('monitor ethereum-rpc --json: rpc records and the summary (rpc.schema.json)', async () => {
    const { stdout } = await runCli(['monitor', 'ethereum-rpc', '--url', `http://${CLOSED_HOST}:${await closedPort()}`, '--json', '--interval', '300ms', '--duration', '700ms']);
    expectContract(records(stdout), schemaOf('rpc'));
  });

  it('node start --json: events (node.schema.json)', async () => {
    const cli = startCli(['node', 'start', '--json']);
    await until(() => cli.stdoutText().includes('"started"'), 'the node started');
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const all = records(cli.stdoutText());
    expectContract(all, schemaOf('node'));
    expect(all.map((r) => r.event)).toEqual(['started', 'node-request-to-stop', 'stopped']);
  });

  it('sum, sum add, sum local --json (sum.schema.json)', async () => {
    const data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-sum-')), 'n.json');
    const added = await runCli(['sum', 'add', '5', '123456789012345678901234567890', '--data', data, '--json']);
    expectContract(records(added.stdout), schemaOf('sum'));
    const local = await runCli(['sum', 'local', '--data', data, '--json']);
    expectContract(records(local.stdout), schemaOf('sum'));
    expect(records(local.stdout)[0]).toMatchObject({ type: 'store', count: 2, subtotal: '123456789012345678901234567895' });
    const solo = await runCli(['sum', '--port', '0', '--data', data, '--sum', '--json', '--timeout', '200ms']);
    expect(solo.code).toBe(0);
    expectContract(records(solo.stdout), schemaOf('sum'));
  });

  it('--csv: a header, a row per address each interval, then the summary rows', async () => {
    const { code, stdout } = await runCli(['demo', '--sim', '20', '--peers', '5', '--csv', '--interval', '500ms', '--duration', '1500ms']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('record,at,address,state,reason,detail,attempts,ever_ready,user_agent,version,services,best_height,ping_ms,messages_in,bytes_in,messages_out,bytes_out,last_message_at');
    expect(lines.some((l) => /^peer,\d+,127\.1\./.test(l))).toBe(true);
    const summary = lines.filter((l) => l.startsWith('summary,'));
    expect(summary.length).toBeGreaterThanOrEqual(5);
    for (const l of summary) expect(l).toMatch(/^summary,\d+,127\.1\.\d+\.\d+:\d+,(closed|failed),/);
  });
});
