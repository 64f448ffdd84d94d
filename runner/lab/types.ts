/**
 * A lab after validation and normalisation: what every later layer (provision, run, checks) reads.
 * Optional YAML shapes (string or argv, map or KEY=VALUE list, "6379:6379") are resolved here once.
 */
import type { CheckSpec, Script } from './schema.js';

export type { CheckKind, CheckSpec, Script } from './schema.js';

export interface BindMount {
  kind: 'bind';
  /** As written; a relative source is relative to the workspace (resolved when provisioning). */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface NamedVolume {
  kind: 'volume';
  /** The compose-level name; the engine's volume name adds the session. */
  name: string;
  target: string;
  readOnly: boolean;
}

export type Mount = BindMount | NamedVolume;

export interface PortBinding {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface ReadinessSpec {
  kind: 'redis' | 'running' | 'exec';
  port: number;
  command: string[] | undefined;
  timeoutMs: number;
}

export interface ServiceSpec {
  name: string;
  image: string;
  command: string[] | undefined;
  entrypoint: string[] | undefined;
  environment: Record<string, string>;
  mounts: Mount[];
  ports: PortBinding[];
  user: string | undefined;
  workingDir: string | undefined;
  dependsOn: string[];
  packages: { pip: string[]; npm: string[] };
  readiness: ReadinessSpec;
  /** The student's files are at the lab workdir in this service. */
  student: boolean;
  /** Compose's `build:`: made in `labs start` from the workspace; never when grading. */
  build?: BuildSpec;
  /** Containers of this service in `labs start` (Compose's deploy.replicas or scale); 1 when unset. */
  replicas?: number;
  tty?: boolean;
  openStdin?: boolean;
  hostname?: string;
  /**
   * What a student's compose file asks that grading refuses (compose-keys.ts): applied only in
   * `labs start`, on the student's own machine, with a warning.
   */
  hostAccess?: HostAccessSpec;
}

export interface BuildSpec {
  /** Relative to the workspace (as written in the compose file, normalised), "." when `build: .`. */
  context: string;
  /** Relative to the context; undefined: Docker's default, Dockerfile. */
  dockerfile: string | undefined;
}

export interface HostAccessSpec {
  privileged?: boolean;
  capAdd?: string[];
  devices?: string[];
  securityOpt?: string[];
  pidMode?: string;
  ipcMode?: string;
}

export interface StudentFile {
  path: string;
  role: 'producer' | 'consumer' | 'worker' | 'compose' | 'other';
  description: string | undefined;
}

export interface Lab {
  id: string;
  title: string;
  summary: string;
  runtime: 'python' | 'node';
  workdir: string;
  /** Name of the Redis service (alias on the lab network). */
  redisService: string;
  /** Path of the student's compose file in the workspace, when the topology comes from it. */
  compose: string | undefined;
  /**
   * Services written in lab.yaml. For a compose lab these are overlays (packages, readiness,
   * environment, student) merged onto the compose file's services by `resolveServices`.
   */
  services: Record<string, ServiceSpec | ServiceOverlaySpec>;
  files: StudentFile[];
  scripts: { producer?: Script; consumer?: Script };
  nextSteps: string[];
  checks: CheckSpec[];
  /** Absolute path of labs/<id>/. */
  dir: string;
  /** Absolute path of labs/<id>/lab.yaml. */
  file: string;
  /** Absolute path of templates/<id>/. */
  templatesDir: string;
}

export interface ServiceOverlaySpec {
  overlay: true;
  environment: Record<string, string>;
  packages: { pip: string[]; npm: string[] } | undefined;
  readiness: Partial<ReadinessSpec> | undefined;
  student: boolean | undefined;
}

/** One problem found in a lab or compose file, located for `file:line:col path: message`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** Dotted path in the document, e.g. services.redis-db.imag */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}
