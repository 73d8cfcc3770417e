/**
 * A fake web push service on 127.0.0.1 in Node (standard library only): HTTP/2 (h2c, prior knowledge) and
 * HTTP/1.1 on one port, with the standalone interface of tests/pushfake.py, for benches that need the push
 * service's side to cost little CPU (Node's HTTP/2 is nghttp2, its crypto OpenSSL; the Python fake spends about
 * 1,100 µs a push in pure-Python h2 and decryption, the whole budget of the dispatch target's two cores).
 *
 * Every POST /push/<name> is checked as a real push service and browser would: the VAPID header
 * (`Authorization: vapid t=<JWT>, k=<key>`) must carry an ES256 signature that verifies with k (k must be the
 * app's key when --vapid-key is given), aud equal to this server's origin, exp in the future within 24 hours and
 * a mailto:/https sub; the body must be aes128gcm (RFC 8188) encrypted for the device (RFC 8291) and decrypt to
 * JSON. Either failing answers 400 and counts as invalid; 201s are counted by Topic.
 *
 * --decrypt later splits the two as they are split in production: the push service checks VAPID and the
 * aes128gcm header and answers 201 at once; the phone decrypts. Here the bodies are kept and decrypted, every
 * one, when the counts are next read (GET /_stats, /_arrivals, /_devices/<name>): `decrypted` and
 * `undecryptable` count them. bench/dispatch.py uses it so that the phones' work is not done on the two cores
 * the app's target allows; it reports that work's CPU apart. The default, --decrypt now, decrypts before
 * answering and refuses an unreadable push with 400, as the tests need.
 *
 *   node bench/pushfake.mjs [--host 127.0.0.1] [--port 8099] [--vapid-key KEY] [--fallback NAME] [--decrypt now|later]
 *
 * prints `fake push service on http://HOST:PORT ...` once listening (--port 0: any free port) and serves
 *   POST /_devices [{"name": NAME}] -> 201 {endpoint, keys: {p256dh, auth}}: a new device (its own P-256 pair)
 *   GET  /_devices/<name> -> {last: {status, topic, payload, error} of its last push, or null}: for tests
 *   GET  /_stats  -> {received, accepted, by_topic, invalid, faulted, decrypted, undecryptable}
 *   POST /_fault  {"status": 500|429|null, "seconds": 60, "retry_after": 5}: every push fails for a while
 *   POST /_reset  -> zero the counters
 *   GET  /_arrivals -> {arrivals (epoch seconds of each 201), connections, http_versions, cpu_seconds,
 *                       decrypt_cpu_seconds (of cpu_seconds, what decrypting the kept bodies took now)}: benches
 * --fallback NAME: pushes to unknown names are decrypted with device NAME's keys (a bench seeds thousands of
 * subscriptions with one key pair); without it they answer 404.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8099' },
    'vapid-key': { type: 'string' },
    fallback: { type: 'string' },
    decrypt: { type: 'string', default: 'now' },
  },
});
if (!['now', 'later'].includes(options.decrypt)) {
  console.error('--decrypt must be now or later');
  process.exit(2);
}
const decryptLater = options.decrypt === 'later';
const expectedKey = options['vapid-key'] ? options['vapid-key'].replace(/=+$/, '') : null;
const DAY = 24 * 3600;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

class Invalid extends Error {}

const b64url = (raw) => Buffer.from(raw).toString('base64url');
const unb64url = (text) => Buffer.from(text, 'base64url');

// ------------------------------------------------------------------ state
const devices = new Map();
let origin = '';
let fault = null; // {status, until (ms, monotonic), retryAfter}
let stats;
let arrivals;
let httpVersions;
let clients; // the connections (HTTP/2 sessions or HTTP/1.1 sockets) that carried a push
let connections;
let kept; // --decrypt later: [body, device, topic] of each 201 not yet decrypted

function reset() {
  stats = { received: 0, accepted: 0, by_topic: new Map(), invalid: 0, faulted: 0, decrypted: 0, undecryptable: 0 };
  kept = [];
  arrivals = [];
  httpVersions = {};
  clients = new WeakSet();
  connections = 0;
}
reset();

function makeDevice(name) {
  const ecdh = crypto.createECDH('prime256v1');
  const publicKey = ecdh.generateKeys(); // uncompressed point, as a browser's p256dh
  const device = { name, ecdh, publicKey, auth: crypto.randomBytes(16), endpoint: `${origin}/push/${name}`,
    last: null };
  devices.set(name, device);
  return { endpoint: device.endpoint, keys: { p256dh: b64url(publicKey), auth: b64url(device.auth) } };
}

// ------------------------------------------------------------------ VAPID
// A header that verified once verifies again (same bytes, same signature), so its claims are kept per exact
// header string and only their times are rechecked: a real push service could do the same, and the app sends
// one header per push service for an hour. The signature check itself is what a changed key or token meets.
const verified = new Map();

function checkTimes(claims) {
  const now = Date.now() / 1000;
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  if (!(now < exp && exp <= now + DAY + 60)) throw new Invalid('exp must be in the future and within 24 hours');
}

function verifyVapid(header) {
  const cached = verified.get(header);
  if (cached) {
    checkTimes(cached);
    return cached;
  }
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'vapid') throw new Invalid(`Authorization scheme '${scheme}', expected vapid`);
  const parts = {};
  for (const part of header.slice(space + 1).split(',')) {
    const at = part.indexOf('=');
    if (at >= 0) parts[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  const token = parts.t || '';
  const key = (parts.k || '').replace(/=+$/, '');
  if (expectedKey !== null && key !== expectedKey) throw new Invalid("k is not the application server's public key");
  const point = unb64url(key);
  if (point.length !== 65 || point[0] !== 4) throw new Invalid('k must be an uncompressed P-256 point');
  const cut = token.lastIndexOf('.');
  const signingInput = token.slice(0, Math.max(cut, 0));
  const signature = unb64url(token.slice(cut + 1));
  if (signature.length !== 64) throw new Invalid('ES256 signature must be 64 bytes');
  let publicKey;
  try {
    publicKey = crypto.createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) },
      format: 'jwk',
    });
  } catch {
    throw new Invalid('k is not a point on P-256');
  }
  const good = crypto.verify('sha256', Buffer.from(signingInput), { key: publicKey, dsaEncoding: 'ieee-p1363' },
    signature);
  if (!good) throw new Invalid('VAPID signature does not verify');
  const [head, claims] = signingInput.split('.').map((piece) => JSON.parse(unb64url(piece).toString('utf8')));
  if (head.alg !== 'ES256') throw new Invalid('alg must be ES256');
  if (claims.aud !== origin) throw new Invalid(`aud '${claims.aud}' is not '${origin}'`);
  checkTimes(claims);
  if (!/^(mailto:|https:\/\/)/.test(String(claims.sub ?? ''))) throw new Invalid('sub must be a mailto: or https: URL');
  if (verified.size > 10_000) verified.clear();
  verified.set(header, claims);
  return claims;
}

// ------------------------------------------------------------------ aes128gcm (RFC 8188) for web push (RFC 8291)
// HKDF-SHA-256 written out as its HMACs (RFC 5869, outputs of one block): the key and the nonce share one
// extraction, which crypto.hkdfSync would repeat (about 25 µs a push here).
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const expand = (prk, info, length) => hmac(prk, Buffer.concat([info, Buffer.from([1])])).subarray(0, length);
const KEY_INFO = Buffer.from('WebPush: info\0');
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0');

// The aes128gcm header (RFC 8188 2.1), what a push service can check without the phone's keys.
function recordHeader(body) {
  if (body.length < 21) throw new Invalid('body shorter than the aes128gcm header');
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  if (idLength !== 65 || recordSize < 18) throw new Invalid('aes128gcm header: keyid must be a P-256 point, rs >= 18');
  if (body.length <= 21 + idLength) throw new Invalid('no records');
  return { salt: body.subarray(0, 16), recordSize, senderKey: body.subarray(21, 21 + idLength),
    content: body.subarray(21 + idLength) };
}

function decrypt(body, device) {
  const { salt, recordSize, senderKey, content } = recordHeader(body); // senderKey: the server's one-off key
  let secret;
  try {
    secret = device.ecdh.computeSecret(senderKey);
  } catch {
    throw new Invalid("the sender's key is not a point on P-256");
  }
  const ikm = expand(hmac(device.auth, secret), Buffer.concat([KEY_INFO, device.publicKey, senderKey]), 32);
  const prk = hmac(salt, ikm);
  const key = expand(prk, CEK_INFO, 16);
  const nonce = expand(prk, NONCE_INFO, 12);
  const plain = [];
  for (let start = 0, sequence = 0; start < content.length; start += recordSize, sequence += 1) {
    const record = content.subarray(start, start + recordSize);
    if (record.length < 17) throw new Invalid('record shorter than its tag');
    const iv = Buffer.from(nonce);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ sequence) >>> 0, 8);
    const decipher = crypto.createDecipheriv('aes-128-gcm', key, iv);
    decipher.setAuthTag(record.subarray(record.length - 16));
    let text;
    try {
      text = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    } catch {
      throw new Invalid('record does not decrypt (tag mismatch)');
    }
    let end = text.length - 1;
    while (end >= 0 && text[end] === 0) end -= 1; // padding zeros after the delimiter
    const last = start + recordSize >= content.length;
    if (end < 0 || text[end] !== (last ? 2 : 1)) throw new Invalid('padding delimiter is not 0x02 (last) / 0x01');
    plain.push(text.subarray(0, end));
  }
  try {
    return JSON.parse(Buffer.concat(plain).toString('utf8'));
  } catch {
    throw new Invalid('payload is not JSON');
  }
}

// ------------------------------------------------------------------ pushes
function push(name, headers, body, connection, version) {
  stats.received += 1;
  if (!clients.has(connection)) {
    clients.add(connection);
    connections += 1;
  }
  httpVersions[version] = (httpVersions[version] || 0) + 1;
  if (fault && fault.until > performance.now()) {
    stats.faulted += 1;
    return [fault.status, fault.status === 429 ? { 'retry-after': String(fault.retryAfter) } : {}, ''];
  }
  const device = devices.get(name) || devices.get(options.fallback ?? '');
  if (!device) return [404, {}, 'no such subscription'];
  const topic = headers.topic || '';
  let payload;
  try {
    verifyVapid(headers.authorization || '');
    if (headers['content-encoding'] !== 'aes128gcm') throw new Invalid('Content-Encoding must be aes128gcm');
    if (decryptLater) {
      recordHeader(body);
      kept.push([body, device, topic]);
      payload = null;
    } else {
      payload = decrypt(body, device);
      stats.decrypted += 1;
    }
  } catch (error) {
    if (!(error instanceof Invalid) && !(error instanceof SyntaxError)) throw error;
    stats.invalid += 1;
    device.last = { status: 400, topic, payload: null, error: error.message };
    return [400, { 'content-type': 'text/plain' }, error.message];
  }
  device.last = { status: 201, topic, payload, error: null };
  stats.accepted += 1;
  stats.by_topic.set(topic, (stats.by_topic.get(topic) || 0) + 1);
  arrivals.push((performance.timeOrigin + performance.now()) / 1000);
  return [201, {}, ''];
}

// --decrypt later: the phones' side, for every body accepted since the last read. Returns the CPU seconds it took.
function decryptKept() {
  const before = process.cpuUsage();
  for (const [body, device, topic] of kept) {
    try {
      device.last = { status: 201, topic, payload: decrypt(body, device), error: null };
      stats.decrypted += 1;
    } catch (error) {
      if (!(error instanceof Invalid) && !(error instanceof SyntaxError)) throw error;
      device.last = { status: 201, topic, payload: null, error: error.message };
      stats.undecryptable += 1;
    }
  }
  kept = [];
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1e6;
}

function control(method, path, body) {
  const decryptSeconds = method === 'GET' ? decryptKept() : 0;
  if (method === 'POST' && path === '/_devices') {
    const asked = body.length ? JSON.parse(body) : {};
    return [201, makeDevice(asked.name || `d${crypto.randomBytes(6).toString('hex')}`)];
  }
  if (method === 'GET' && path.startsWith('/_devices/')) {
    const device = devices.get(path.slice(10));
    return device ? [200, { last: device.last }] : [404, { error: 'no such device' }];
  }
  if (method === 'GET' && path === '/_stats') return [200, publicStats()];
  if (method === 'POST' && path === '/_reset') {
    reset();
    return [200, publicStats()];
  }
  if (method === 'GET' && path === '/_arrivals') {
    const cpu = process.cpuUsage();
    return [200, { arrivals, connections, http_versions: httpVersions, cpu_seconds: (cpu.user + cpu.system) / 1e6,
      decrypt_cpu_seconds: decryptSeconds }];
  }
  if (method === 'POST' && path === '/_fault') {
    const asked = JSON.parse(body.length ? body : '{}');
    const status = asked.status ?? null;
    if (![null, 429, 500].includes(status)) return [400, { error: 'status must be 429, 500 or null' }];
    const seconds = Number(asked.seconds ?? 60);
    const retryAfter = Math.trunc(Number(asked.retry_after ?? 5));
    if (!Number.isFinite(seconds) || !Number.isFinite(retryAfter)) return [400, { error: 'seconds must be numbers' }];
    fault = status === null ? null : { status, until: performance.now() + seconds * 1000, retryAfter };
    return [200, { fault: status === null ? null : { status, retry_after: retryAfter } }];
  }
  return [404, { error: 'not found' }];
}

function publicStats() {
  return { ...stats, by_topic: Object.fromEntries(stats.by_topic) };
}

// ------------------------------------------------------------------ serving
// [status, headers, body text] for one request of either protocol.
function answer(method, url, headers, body, connection, version) {
  const path = url.split('?')[0];
  try {
    if (method === 'POST' && path.startsWith('/push/')) return push(path.slice(6), headers, body, connection, version);
    const [status, document] = control(method, path, body);
    return [status, { 'content-type': 'application/json' }, JSON.stringify(document)];
  } catch (error) { // a control body that is not JSON; anything else is a bug worth seeing
    if (!(error instanceof SyntaxError)) throw error;
    return [400, { 'content-type': 'application/json' }, JSON.stringify({ error: error.message })];
  }
}

// HTTP/2 through Node's stream API (the compatibility API's request and response objects cost about a fifth
// of this process's CPU per push).
function onStream(stream, headers) {
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('end', () => {
    const [status, extra, text] = answer(headers[':method'], headers[':path'], headers, Buffer.concat(chunks),
      stream.session, '2');
    if (stream.destroyed) return;
    stream.respond({ ':status': status, ...extra, 'content-length': Buffer.byteLength(text) });
    stream.end(text);
  });
  stream.on('error', () => {}); // a client that resets a stream or goes away is its business
}

function onRequest(request, response) {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const [status, extra, text] = answer(request.method, request.url, request.headers, Buffer.concat(chunks),
      request.socket, '1.1');
    response.writeHead(status, { ...extra, 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
}

const h2server = http2.createServer({ maxSessionMemory: 64 });
h2server.on('stream', onStream);
const h1server = http.createServer({ keepAliveTimeout: 60_000 }, onRequest);
h2server.on('sessionError', () => {}); // a client that goes away mid-stream is its business
// One port for both: a connection that opens with the HTTP/2 preface goes to the HTTP/2 server, any other to
// HTTP/1.1 (the control endpoints from scripts, as the Python fake allows). Both servers take over the socket
// with the bytes already read put back.
const server = net.createServer((socket) => {
  socket.once('data', (first) => {
    socket.pause();
    socket.unshift(first);
    const h2 = first.subarray(0, PREFACE.length).equals(PREFACE.subarray(0, Math.min(first.length, PREFACE.length)));
    if (h2) {
      h2server.emit('connection', socket);
    } else {
      h1server.emit('connection', socket);
      socket.resume();
    }
  });
  socket.on('error', () => {});
});
server.listen({ host: options.host, port: Number(options.port), backlog: 1024 }, () => {
  origin = `http://${options.host}:${server.address().port}`;
  console.log(`fake push service on ${origin} (HTTP/2 prior knowledge and HTTP/1.1)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
