// A constant-rate HTTP load generator for the latency scenarios of bench/serve-redis.mjs.
//
// Why not autocannon's `overallRate` for these: autocannon lets each connection send its
// share of a second's requests as fast as the server answers, then waits for the next
// second (its `reqsMadeThisSecond` counter, reset by a one-second interval; autocannon issue
// #174, "50 request in 100ms then 900ms of nothing"). "1,000 req/s" there is a burst at the
// server's full speed at the start of every second, and its latencies are those of a
// saturated server. Here request i is sent at t0 + i / rate on one of `connections`
// keep-alive connections (one request in flight on each, as autocannon without pipelining);
// a request whose send time comes while every connection is busy waits for the first free
// one. A latency is the time from writing the request to the last byte of its response; how
// late each request was sent against its schedule is reported beside it (`lateP99Ms`), so a
// generator that fell behind shows. Raw sockets, so that the generator itself allocates
// little and its own pauses stay out of the latencies.
//
// As a command it runs one scenario in a fresh process (bench/serve-redis.mjs does, so that
// the heap of an earlier autocannon run in the bench process cannot pause this one) and
// prints the result as JSON:
//   node bench/paced-load.mjs '{"url","path","rate","connections","seconds",
//     "body": {"customers": [..], "entities": 100, "service": "wide_service"}}'
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * @param {{ url: string, path: string, next: () => string, rate: number, connections: number,
 *   seconds: number, warmupSeconds?: number, headers?: Record<string, string> }} options
 *   `warmupSeconds`: the same load first, not recorded (V8's memory reducer shrinks an idle
 *   server's young generation, so the first seconds after a pause measure its regrowth).
 * @returns {Promise<{ times: number[], errors: number, lateP99Ms: number, seconds: number,
 *   answered: number }>}
 *   `times`: each answered request's latency in ms (status 200 only); `errors`: other
 *   statuses, failed connections and requests not answered within 10 s of the last send;
 *   `seconds`: from the first recorded send to the last answer (a server that cannot keep up
 *   takes longer than `options.seconds`); `answered`: every response, warm-up included.
 */
export async function pacedLoad(options) {
  const { hostname, port } = new URL(options.url);
  const head = Object.entries({ 'content-type': 'application/json', ...options.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const request = (body) =>
    Buffer.from(
      `POST ${options.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 0));
  const total = warmup + Math.round(options.rate * options.seconds);
  const times = [];
  const late = [];
  let errors = 0;
  let answered = 0;
  let lastAnswer = 0;
  const idle = [];
  const waiting = [];
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const settle = () => {
    answered++;
    if (answered === total) finish();
  };

  const sockets = await Promise.all(
    Array.from({ length: options.connections }, () => openConnection(hostname, Number(port))),
  );
  for (const socket of sockets) {
    const connection = { socket, sentAt: 0, recorded: false, parser: responseParser() };
    socket.on('data', (chunk) => {
      const statuses = connection.parser(chunk);
      for (const status of statuses) {
        const now = performance.now();
        lastAnswer = now;
        if (connection.recorded) {
          if (status === 200) times.push(now - connection.sentAt);
          else errors++;
        }
        settle();
        release(connection);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      // A connection lost mid-request: that request and the rest of its share are errors.
      if (connection.sentAt !== 0) {
        if (connection.recorded) errors++;
        settle();
      }
    });
    idle.push(connection);
  }

  function release(connection) {
    connection.sentAt = 0;
    const next = waiting.shift();
    if (next) send(connection, next[0], next[1]);
    else idle.push(connection);
  }
  function send(connection, due, index) {
    const now = performance.now();
    connection.recorded = index >= warmup;
    if (connection.recorded) {
      late.push(now - due);
      if (index === warmup) firstRecorded = now;
    }
    connection.sentAt = now;
    connection.socket.write(request(options.next()));
  }

  const t0 = performance.now() + 5;
  let firstRecorded = t0;
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / options.rate <= now) {
        const due = t0 + (sent * 1000) / options.rate;
        const index = sent++;
        const connection = idle.pop();
        if (connection) send(connection, due, index);
        else waiting.push([due, index]);
      }
      if (sent < total) {
        setTimeout(tick, Math.max(0, t0 + (sent * 1000) / options.rate - performance.now()));
      } else resolve();
    };
    setTimeout(tick, 5);
  });
  const timeout = setTimeout(finish, 10_000);
  await done;
  clearTimeout(timeout);
  const seconds = (lastAnswer - firstRecorded) / 1000;
  for (const socket of sockets) socket.destroy();
  errors += Math.min(total - answered, total - warmup);
  late.sort((a, b) => a - b);
  return {
    times,
    errors,
    lateP99Ms: late.length > 0 ? late[Math.ceil(0.99 * late.length) - 1] : 0,
    seconds,
    answered,
  };
}

function openConnection(host, port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Parses HTTP/1.1 responses off one connection's bytes: returns the status of each response
 * completed by `chunk` (bodies sized by content-length, which Fastify always sends here).
 */
function responseParser() {
  let buffered = Buffer.alloc(0);
  let need = -1;
  let status = 0;
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const statuses = [];
    for (;;) {
      if (need < 0) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) break;
        const headers = buffered.toString('latin1', 0, end);
        status = Number(headers.slice(9, 12));
        const length = /\r\ncontent-length: *(\d+)/i.exec(headers);
        need = end + 4 + (length ? Number(length[1]) : 0);
      }
      if (buffered.length < need) break;
      statuses.push(status);
      buffered = buffered.subarray(need);
      need = -1;
    }
    return statuses;
  };
}

/** Request bodies of `entities` customers each for `service`, walking `customers` by a stride. */
export function serviceBodies(customers, entities, service) {
  let i = 0;
  return () => {
    const ids = [];
    for (let k = 0; k < entities; k++) ids.push(customers[(i++ * 7919) % customers.length]);
    return JSON.stringify({ feature_service: service, entities: { customer_id: ids } });
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { body, ...options } = JSON.parse(process.argv[2]);
  const result = await pacedLoad({
    ...options,
    next: serviceBodies(body.customers, body.entities, body.service),
  });
  process.stdout.write(JSON.stringify(result));
}
