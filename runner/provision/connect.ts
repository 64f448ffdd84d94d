/**
 * Where the Docker engine is: DOCKER_HOST, else the current docker context (DOCKER_CONTEXT or the
 * CLI's config), else the default socket. Pure apart from reading the docker CLI's config files, so
 * that the error for an unreachable engine can say exactly which endpoint was tried.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface DockerEndpoint {
  /** As a person would write it: unix:///var/run/docker.sock, tcp://host:2375 */
  url: string;
  /** Where the endpoint came from, for error messages. */
  source: 'DOCKER_HOST' | 'docker context' | 'default';
  contextName?: string;
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

export interface EndpointInputs {
  env: NodeJS.ProcessEnv;
  /** The docker CLI's config folder (DOCKER_CONFIG or ~/.docker). */
  configDir?: string;
  readFile?: (path: string) => string;
}

const defaultSocket = 'unix:///var/run/docker.sock';

export function parseDockerUrl(url: string): Omit<DockerEndpoint, 'source' | 'url'> {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('npipe://')) return { socketPath: url.slice('npipe://'.length) };
  const match = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(url);
  if (match) {
    const tls = match[1] === 'https';
    return { host: match[2], port: match[3] ? Number(match[3]) : tls ? 2376 : 2375, protocol: tls ? 'https' : 'http' };
  }
  // A bare path is what some tools put in DOCKER_HOST.
  return { socketPath: url };
}

function contextEndpoint(name: string, configDir: string, read: (path: string) => string): string | undefined {
  // The docker CLI stores a context's metadata under the SHA-256 of its name.
  const digest = createHash('sha256').update(name).digest('hex');
  try {
    const meta = JSON.parse(read(join(configDir, 'contexts', 'meta', digest, 'meta.json'))) as {
      Endpoints?: { docker?: { Host?: string } };
    };
    return meta.Endpoints?.docker?.Host;
  } catch {
    return undefined;
  }
}

/**
 * The engine `inputs.env` points at: DOCKER_HOST, else the docker context DOCKER_CONTEXT or the
 * CLI's config.json names (its endpoint from `contexts/meta/<sha256 of the name>/meta.json`), else
 * the default socket. Never throws: an unreadable config or an unknown context falls through to the
 * next source.
 */
export function resolveDockerEndpoint(inputs: EndpointInputs): DockerEndpoint {
  const { env } = inputs;
  const read = inputs.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const configDir = inputs.configDir ?? env.DOCKER_CONFIG ?? join(homedir(), '.docker');

  if (env.DOCKER_HOST) {
    return { url: env.DOCKER_HOST, source: 'DOCKER_HOST', ...parseDockerUrl(env.DOCKER_HOST) };
  }
  let contextName = env.DOCKER_CONTEXT;
  if (!contextName) {
    try {
      contextName = (JSON.parse(read(join(configDir, 'config.json'))) as { currentContext?: string }).currentContext;
    } catch {
      contextName = undefined;
    }
  }
  if (contextName && contextName !== 'default') {
    const url = contextEndpoint(contextName, configDir, read);
    if (url) return { url, source: 'docker context', contextName, ...parseDockerUrl(url) };
  }
  return { url: defaultSocket, source: 'default', ...parseDockerUrl(defaultSocket) };
}

/** The endpoint for a message, with where it came from: `tcp://host:2375 (from DOCKER_HOST)`. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  if (endpoint.source === 'DOCKER_HOST') return `${endpoint.url} (from DOCKER_HOST)`;
  if (endpoint.source === 'docker context') return `${endpoint.url} (docker context "${endpoint.contextName}")`;
  return endpoint.url;
}
