#!/usr/bin/env node
// Stands in for the nginx image in jetkube's process runtime: an HTTP server on
// $JETKUBE_LISTEN_HOST (else the pod IP the runtime passes as $JETKUBE_POD_IP, else
// 0.0.0.0), port $JETKUBE_LISTEN_PORT or 80, or 8080 when 80 cannot be bound. It serves
// files from <container root>/usr/share/nginx/html when a volume is mounted there and
// the welcome page otherwise, writes nginx-style access lines to stdout and notices to
// stderr, and exits 0 on SIGTERM (fast shutdown) and SIGQUIT (graceful shutdown).
// Like nginx it writes its pid to <root>/run/nginx.pid, so that `nginx -s quit` (a
// common preStop hook) signals it; `nginx -t` and `nginx -v` answer as nginx does.
import { createServer } from 'node:http';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const VERSION = process.env.NGINX_VERSION || '1.27.0';
const host = process.env.JETKUBE_LISTEN_HOST || process.env.JETKUBE_POD_IP || '0.0.0.0';
const requestedPort = Number(process.env.JETKUBE_LISTEN_PORT || 80);
const root = process.env.JETKUBE_ROOT || process.cwd();
const htmlRoot = join(root, 'usr/share/nginx/html');
const pidFile = join(root, 'run/nginx.pid');

const args = process.argv.slice(2);
if (args.includes('-v') || args.includes('-V')) {
  process.stderr.write(`nginx version: nginx/${VERSION}\n`);
  process.exit(0);
}
if (args.includes('-t') || args.includes('-T')) {
  process.stderr.write('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
  process.exit(0);
}
const signalArg = args.indexOf('-s');
if (signalArg !== -1) {
  const signals = { stop: 'SIGTERM', quit: 'SIGQUIT', reopen: 'SIGUSR1', reload: 'SIGHUP' };
  const signal = signals[args[signalArg + 1]];
  if (!signal) {
    process.stderr.write(`nginx: invalid option: "-s ${args[signalArg + 1] ?? ''}"\n`);
    process.exit(1);
  }
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  try {
    process.kill(pid, signal);
    process.exit(0);
  } catch {
    process.stderr.write(`${errorLogTime()} [error] open() "/run/nginx.pid" failed (2: No such file or directory)\n`);
    process.exit(1);
  }
}

const WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
<p><em>Served by jetkube's process runtime.</em></p>
</body>
</html>
`;
const page = (status, text) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/${VERSION}</center>\r\n</body>\r\n</html>\r\n`;
const TYPES = { '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css', '.js': 'application/javascript', '.json': 'application/json', '.txt': 'text/plain', '.png': 'image/png', '.svg': 'image/svg+xml' };

function pad(n) {
  return String(n).padStart(2, '0');
}
function errorLogTime(d = new Date()) {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function accessLogTime(d = new Date()) {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${pad(d.getDate())}/${months[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`;
}
function notice(message) {
  process.stderr.write(`${errorLogTime()} [notice] ${process.pid}#${process.pid}: ${message}\n`);
}

async function findFile(urlPath) {
  let relative;
  try {
    relative = normalize(decodeURIComponent(urlPath.split('?')[0])).replace(/^(\.\.(\/|$))+/, '');
  } catch {
    return undefined;
  }
  let path = join(htmlRoot, relative);
  if (!path.startsWith(htmlRoot)) return undefined;
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) path = join(path, 'index.html');
  else if (!info) return undefined;
  return readFile(path).then((body) => ({ body, path })).catch(() => undefined);
}

async function respond(req) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, type: 'text/html', body: Buffer.from(page(405, 'Not Allowed')) };
  const file = await findFile(req.url || '/');
  if (file) {
    const ext = file.path.slice(file.path.lastIndexOf('.'));
    return { status: 200, type: TYPES[ext] || 'application/octet-stream', body: file.body };
  }
  const rootExists = await stat(htmlRoot).then((i) => i.isDirectory()).catch(() => false);
  const path = (req.url || '/').split('?')[0];
  if (!rootExists && (path === '/' || path === '/index.html')) return { status: 200, type: 'text/html', body: Buffer.from(WELCOME) };
  return { status: 404, type: 'text/html', body: Buffer.from(page(404, 'Not Found')) };
}

const server = createServer(async (req, res) => {
  const { status, type, body } = await respond(req);
  res.writeHead(status, { Server: `nginx/${VERSION}`, 'Content-Type': type, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
  const sent = req.method === 'HEAD' ? 0 : body.length;
  const referer = req.headers.referer || '-';
  const agent = req.headers['user-agent'] || '-';
  process.stdout.write(`${req.socket.remoteAddress} - - [${accessLogTime()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${sent} "${referer}" "${agent}" "-"\n`);
});

function listen(port) {
  return new Promise((resolve, reject) => {
    const onError = (error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function shutdown(signal, graceful) {
  notice(`signal ${signal === 'SIGTERM' ? 15 : 3} (${signal}) received, ${graceful ? 'shutting down' : 'exiting'}`);
  server.close(() => process.exit(0));
  if (graceful) server.closeIdleConnections();
  else server.closeAllConnections();
  setTimeout(() => process.exit(0), graceful ? 5000 : 200).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM', false));
process.on('SIGINT', () => shutdown('SIGINT', false));
process.on('SIGQUIT', () => shutdown('SIGQUIT', true));
// Reload and reopen have nothing to do here: there is no configuration file and no log file.
process.on('SIGHUP', () => notice('signal 1 (SIGHUP) received, reconfiguring'));
process.on('SIGUSR1', () => notice('signal 10 (SIGUSR1) received, reopening logs'));

process.stdout.write('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
let port;
try {
  port = await listen(requestedPort);
} catch (error) {
  if (process.env.JETKUBE_LISTEN_PORT) throw error;
  notice(`bind() to ${host}:${requestedPort} failed (${error.code}), using port 8080`);
  port = await listen(8080);
}
await mkdir(join(root, 'run'), { recursive: true }).then(() => writeFile(pidFile, `${process.pid}\n`)).catch(() => {});
notice(`using the "epoll" event method`);
notice(`nginx/${VERSION}`);
notice(`listening on ${host}:${port}`);
notice(`start worker processes`);
