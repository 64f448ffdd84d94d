/**
 * `ports:` entries to bindings. A host address in the entry is accepted and dropped: labs always
 * publishes on 127.0.0.1, so a lab never exposes Redis to the network.
 */
import type { PortBinding } from './types.js';
import { fail, ok, type Parsed } from './parsed.js';

const portPattern = /^(?:(?<ip>\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):)?(?<host>\d+):(?<container>\d+)$/;

export function parsePort(spec: string | number): Parsed<PortBinding> {
  const text = String(spec);
  const slash = text.lastIndexOf('/');
  const protocol = slash === -1 ? 'tcp' : text.slice(slash + 1);
  if (protocol !== 'tcp' && protocol !== 'udp') return fail(`${JSON.stringify(text)}: the protocol must be tcp or udp`);
  const ports = slash === -1 ? text : text.slice(0, slash);
  const single = /^\d+$/.test(ports) ? ports : undefined;
  const match = single === undefined ? portPattern.exec(ports) : null;
  const hostText = single ?? match?.groups?.host;
  const containerText = single ?? match?.groups?.container;
  if (hostText === undefined || containerText === undefined) {
    return fail(`${JSON.stringify(text)}: write HOST:CONTAINER (e.g. "6379:6379") or one port; ranges and random host ports are not supported`);
  }
  const hostPort = Number(hostText);
  const containerPort = Number(containerText);
  for (const port of [hostPort, containerPort]) {
    if (port < 1 || port > 65535) return fail(`${JSON.stringify(text)}: ${port} is not a port (1-65535)`);
  }
  return ok({ hostPort, containerPort, protocol });
}
