// nginx as a plain reverse proxy in front of one upstream: its config, written to a folder of its own, and the command that runs it in the foreground.
import { access, constants, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ServerCommand } from './server-process.js';

/** Debian puts nginx in /usr/sbin, which is not on every user's PATH. */
const SEARCHED = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];

export async function findNginx(): Promise<string | undefined> {
  for (const directory of SEARCHED.filter((entry) => entry !== '')) {
    const candidate = join(directory, 'nginx');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/**
 * One worker, keep-alive connections to the upstream (HTTP/1.1, `Connection` cleared), no response buffering so that
 * SSE frames pass as they come, and an access log as a deployed proxy keeps. Clients may send many requests over one
 * connection, as Node's server lets them, so neither side measures reconnecting.
 */
function nginxConfig(directory: string, port: number, upstreamPort: number): string {
  return `worker_processes 1;
pid ${join(directory, 'nginx.pid')};
error_log ${join(directory, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(directory, 'access.log')};
  client_body_temp_path ${join(directory, 'client-body')};
  proxy_temp_path ${join(directory, 'proxy')};
  fastcgi_temp_path ${join(directory, 'fastcgi')};
  uwsgi_temp_path ${join(directory, 'uwsgi')};
  scgi_temp_path ${join(directory, 'scgi')};
  keepalive_requests 100000;
  upstream instant {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 100000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://instant;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
}

/** Writes the config into `directory` (which must exist) and returns the command that runs nginx on it. */
export async function nginxCommand(binary: string, directory: string, port: number, upstreamPort: number, readyPath: string): Promise<ServerCommand> {
  const config = join(directory, 'nginx.conf');
  await writeFile(config, nginxConfig(directory, port, upstreamPort));
  // `-e stderr`: before it reads the config, nginx would log to <prefix>/logs/error.log, which does not exist.
  return { name: 'nginx', executable: binary, args: ['-p', directory, '-c', config, '-e', 'stderr', '-g', 'daemon off;'], port, readyPath };
}
