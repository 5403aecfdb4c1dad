/**
 * The server's access log (src/http/access-log.ts): pino's own line for each request, from a
 * template, and a turn's lines in one write. The line must be the one pino writes for the same
 * fields, whatever the client put in its path; and nothing may be left unwritten at exit.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type AccessLine, batchedAccessLog } from '../src/http/access-log.js';

const BASE = { service: 'balance-service' };

/** What pino itself writes for `info(line, 'request')`, parsed. */
function pinoLine(line: AccessLine): Record<string, unknown> {
  let written = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written += chunk;
      done();
    },
  });
  pino({ base: BASE }, sink).info(line, 'request');
  return JSON.parse(written);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the access log', () => {
  const lines: AccessLine[] = [
    {
      requestId: 'c366920c-4b2b-4f70-b32b-3a38f16f6d22',
      method: 'GET',
      path: '/v1/balances/1',
      status: 200,
      ms: 0.4,
    },
    {
      requestId: 'client-id=1',
      method: 'GET',
      path: '/v1/ba"l\\an\nces/ü/\u0000',
      status: 404,
      ms: 12,
    },
    { requestId: 'x', method: 'PATCH', path: '/', status: 304, ms: 1234.5 },
  ];

  it("writes pino's own line for the same fields, escaping what the client sent", async () => {
    const writes: string[] = [];
    const log = batchedAccessLog((text) => writes.push(text), BASE);
    for (const line of lines) log(line);
    await turn();
    const written = writes.join('').split('\n');
    expect(written.pop()).toBe('');
    expect(written).toHaveLength(lines.length);
    written.forEach((text, i) => {
      const { time, ...parsed } = JSON.parse(text);
      const { time: pinoTime, ...expected } = pinoLine(lines[i] as AccessLine);
      expect(parsed).toEqual(expected);
      expect(Object.keys(parsed)).toEqual(Object.keys(expected));
      expect(Math.abs(time - (pinoTime as number))).toBeLessThan(1_000);
    });
  });

  it("writes a turn's lines at once, after the turn", async () => {
    const writes: string[] = [];
    const log = batchedAccessLog((text) => writes.push(text), BASE);
    for (const line of lines) log(line);
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toHaveLength(1);
    log(lines[0] as AccessLine);
    await turn();
    expect(writes).toHaveLength(2);
  });

  it('flush writes what the turn holds at once, and nothing twice', async () => {
    const writes: string[] = [];
    const log = batchedAccessLog((text) => writes.push(text), BASE);
    log(lines[0] as AccessLine);
    log.flush();
    expect(writes).toHaveLength(1);
    await turn();
    expect(writes).toHaveLength(1);
  });

  it('works with no base fields', async () => {
    const writes: string[] = [];
    const log = batchedAccessLog((text) => writes.push(text), {});
    log(lines[0] as AccessLine);
    log.flush();
    expect(JSON.parse(writes[0] as string)).toMatchObject({
      level: 30,
      msg: 'request',
      status: 200,
    });
  });
});
