#!/usr/bin/env node
// Stands in for the agnhost and echoserver test images in jetkube's process runtime:
// a few of agnhost's subcommands, each an HTTP server bound to $JETKUBE_LISTEN_HOST,
// else the pod IP ($JETKUBE_POD_IP), else 0.0.0.0. The hostname they report is
// $HOSTNAME, which the runtime sets to the pod's name, as a container's hostname is.
// Names resolve through the pod's own resolv.conf and hosts under $JETKUBE_ROOT/etc
// (pod-dns.mjs), so `web`, `web.default` and `web.default.svc.cluster.local` reach a
// Service through the cluster DNS as they would from a container.
//   pause                          sleep until SIGTERM/SIGINT, exit 0
//   netexec [--http-port=8080]     /, /echo?msg=, /hostname, /clientip, /header?key=, /healthz, /exit?code=,
//                                  /dial?request=&host=&port=&protocol=http&tries=1 (asks another server, answers JSON)
//   serve-hostname [--port=9376]   answers every request with the hostname
//   echo-server [--port=8080]      answers with a description of the request
//   dns-suffix, dns-server-list    print the pod's search list / nameservers, comma-separated
//   etc-hosts                      print the pod's hosts file
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { installPodDns, parseResolvConf } from './pod-dns.mjs';

installPodDns();
const podRoot = process.env.JETKUBE_ROOT || process.cwd();
const podFile = (name) => {
  try {
    return readFileSync(join(podRoot, 'etc', name), 'utf8');
  } catch {
    return '';
  }
};

const [subcommand, ...rest] = process.argv.slice(2);
const flags = Object.fromEntries(
  rest.filter((arg) => arg.startsWith('--')).map((arg) => {
    const [key, value = 'true'] = arg.slice(2).split('=');
    return [key, value];
  }),
);
const host = process.env.JETKUBE_LISTEN_HOST || process.env.JETKUBE_POD_IP || '0.0.0.0';
const podHostname = process.env.HOSTNAME || osHostname();

function exitOnSignals(server) {
  const stop = () => {
    if (!server) process.exit(0);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function serve(port, handler) {
  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://localhost');
    const reply = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    handler(req, url, reply);
  });
  exitOnSignals(server);
  server.listen(port, host, () => console.log(`Started HTTP server on ${host}:${port}`));
}

// netexec's /dial: `tries` requests to http://host:port/request; the bodies (or errors) as JSON.
async function dial(params) {
  const host = params.get('host') || '';
  const port = params.get('port') || '';
  const request = params.get('request') || '';
  const protocol = params.get('protocol') || 'http';
  const tries = Math.max(1, Number(params.get('tries') || 1));
  const responses = [];
  const errors = [];
  for (let i = 0; i < tries; i++) {
    if (protocol !== 'http') {
      errors.push(`unsupported protocol ${protocol}`);
      continue;
    }
    try {
      const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/${request.replace(/^\//, '')}`, { signal: AbortSignal.timeout(5_000) });
      responses.push(await res.text());
    } catch (error) {
      errors.push(String(error?.cause?.message ?? error?.message ?? error));
    }
  }
  return { responses, errors };
}

function describeRequest(req, url) {
  const lines = [
    '',
    `Hostname: ${podHostname}`,
    '',
    'Pod Information:',
    `\tpod IP: ${process.env.JETKUBE_POD_IP || '-'}`,
    '',
    'Request Information:',
    `\tclient_address=${req.socket.remoteAddress}`,
    `\tmethod=${req.method}`,
    `\treal path=${url.pathname}`,
    `\tquery=${url.search.slice(1)}`,
    `\trequest_version=${req.httpVersion}`,
    `\trequest_uri=http://${req.headers.host || ''}${req.url}`,
    '',
    'Request Headers:',
    ...Object.entries(req.headers).map(([key, value]) => `\t${key}=${value}`),
    '',
  ];
  return lines.join('\n') + '\n';
}

switch (subcommand) {
  case 'pause':
    console.log('Paused');
    exitOnSignals(undefined);
    setInterval(() => {}, 1 << 30);
    break;
  case 'netexec':
    serve(Number(flags['http-port'] || 8080), (req, url, reply) => {
      switch (url.pathname) {
        case '/':
          return reply(200, `NOW: ${new Date().toISOString()}`);
        case '/echo':
          return reply(200, url.searchParams.get('msg') ?? '');
        case '/hostname':
          return reply(200, podHostname);
        case '/clientip':
          return reply(200, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
        case '/header':
          return reply(200, String(req.headers[(url.searchParams.get('key') || '').toLowerCase()] ?? ''));
        case '/healthz':
          return reply(200, 'ok');
        case '/exit':
          reply(200, '');
          return setTimeout(() => process.exit(Number(url.searchParams.get('code') || 0)), 10);
        case '/dial':
          return void dial(url.searchParams).then((result) => reply(200, JSON.stringify(result), 'application/json'));
        default:
          return reply(404, '404 page not found');
      }
    });
    break;
  case 'serve-hostname':
    serve(Number(flags.port || 9376), (_req, _url, reply) => reply(200, podHostname));
    break;
  case 'echo-server':
    serve(Number(flags.port || process.env.PORT || 8080), (req, url, reply) => reply(200, describeRequest(req, url)));
    break;
  case 'dns-suffix':
    console.log(parseResolvConf(podFile('resolv.conf')).searches.join(','));
    break;
  case 'dns-server-list':
    console.log(parseResolvConf(podFile('resolv.conf')).nameservers.join(','));
    break;
  case 'etc-hosts':
    process.stdout.write(podFile('hosts'));
    break;
  default:
    process.stderr.write(`Error: unknown command "${subcommand ?? ''}" for "agnhost"\nAvailable commands: dns-server-list, dns-suffix, echo-server, etc-hosts, netexec, pause, serve-hostname\n`);
    process.exit(1);
}
