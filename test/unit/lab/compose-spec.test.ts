/**
 * Compose files as students write them (issue 16): read as the Compose Specification reads them,
 * every key of README.md's table honoured or ignored with a note, and what would open the grading
 * sandbox refused when grading, with its line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ComposeReadOptions, type LabServices, gradingImages, labServices, parseComposeFile } from '../../../runner/lab/compose.js';
import { durationMs } from '../../../runner/lab/compose-service.js';
import { formatProblem } from '../../../runner/lab/problem.js';
import { findLab } from '../../../runner/lab/registry.js';
import type { Lab } from '../../../runner/lab/types.js';

function read(text: string, options: ComposeReadOptions = {}) {
  const load = parseComposeFile(text, 'docker-compose.yml', options);
  return { ...load, lines: load.problems.map((p) => formatProblem(p)) };
}

/** The notes of services resolved from a usable file, as the student reads them. */
function notesOf(resolved: LabServices): string[] {
  if (resolved.unusable) throw new Error(`unusable: ${JSON.stringify(resolved.unusable.problems)}`);
  return resolved.notes.map((p) => formatProblem(p));
}

/** The course's jobs-API homework, as students hand it in: build and image, container_name, a named network. */
const homework = `version: "3.8"
services:
  redis-db:
    image: redis:7
    container_name: redis-db
    restart: always
    ports:
      - 6379:6379
    volumes:
      - ./data:/data
    user: "1000:1000"
    command: ["--save", "1", "1"]
    networks:
      - jobs-net
  flask-app:
    build:
      context: ./
      dockerfile: ./Dockerfile
    image: username/jobs-api:1.0
    container_name: flask-app
    depends_on:
      - redis-db
    environment:
      - REDIS_IP=redis-db
    ports:
      - 5000:5000
    networks: [jobs-net]
    command: ["python3", "api.py"]
  worker:
    build: .
    image: username/jobs-worker:1.0
    depends_on:
      redis-db:
        condition: service_healthy
    environment:
      REDIS_IP: redis-db
    command: python3 worker.py
    networks:
      jobs-net: {}
networks:
  jobs-net:
`;

describe('a course homework compose file', () => {
  it('is accepted; the keys labs must own are notes, each at its line', () => {
    const { services, lines } = read(homework);
    expect(lines).toEqual([
      'docker-compose.yml:5:5 services.redis-db.container_name: warning: container_name is ignored: labs names containers per session, so that two workspaces or two gradings never clash',
      'docker-compose.yml:6:5 services.redis-db.restart: warning: restart is ignored: labs restarts nothing by itself: a crash during a check must count as a crash',
      'docker-compose.yml:20:5 services.flask-app.container_name: warning: container_name is ignored: labs names containers per session, so that two workspaces or two gradings never clash',
    ]);
    expect(services?.['flask-app']).toMatchObject({
      image: 'username/jobs-api:1.0',
      build: { context: '.', dockerfile: './Dockerfile' },
      environment: { REDIS_IP: 'redis-db' },
      ports: [{ hostPort: 5000, containerPort: 5000, protocol: 'tcp' }],
      dependsOn: ['redis-db'],
      command: ['python3', 'api.py'],
    });
    expect(services?.worker).toMatchObject({ build: { context: '.', dockerfile: undefined }, dependsOn: ['redis-db'], command: ['python3', 'worker.py'] });
  });

  it('when grading, builds nothing: a built service runs in the lab runtime’s image, and the note says which', () => {
    const lab = { id: 'jobs', compose: 'docker-compose.yml', runtime: 'python', redisService: 'redis-db', services: {}, scripts: {} } as unknown as Lab;
    const resolved = labServices(lab, read(homework, { purpose: 'grade' }));
    expect(notesOf(resolved).filter((line) => line.includes('.build:'))).toEqual([
      "docker-compose.yml:16:5 services.flask-app.build: warning: Dockerfile is not built when grading: the checks run flask-app in the lab's image instead, python:3.10 (what the Dockerfile adds is not there)",
      "docker-compose.yml:30:5 services.worker.build: warning: Dockerfile is not built when grading: the checks run worker in the lab's image instead, python:3.10 (what the Dockerfile adds is not there)",
    ]);
    expect(resolved.services?.['flask-app']).toMatchObject({ image: gradingImages.python, build: undefined });
    expect(resolved.services?.['redis-db']?.image).toBe('redis:7');
    // Starting a workspace builds it: no such note.
    expect(notesOf(labServices(lab, read(homework, { purpose: 'start' }))).filter((line) => line.includes('.build:'))).toEqual([]);
  });

  it('jobs-api’s solution when grading: one note per built service, naming it, its Dockerfile and the image with the lab’s packages', async () => {
    const lab = await findLab('jobs-api');
    const text = readFileSync(join(lab.templatesDir, 'solution', 'docker-compose.yml'), 'utf8');
    const resolved = labServices(lab, read(text, { purpose: 'grade', redisService: lab.redisService }));
    const image = "the lab's image instead, python:3.10 with hotqueue, redis, flask (what the Dockerfile adds is not there)";
    expect(notesOf(resolved)).toEqual([
      `docker-compose.yml:12:5 services.api.build: warning: Dockerfile is not built when grading: the checks run api in ${image}`,
      `docker-compose.yml:22:5 services.worker.build: warning: Dockerfile is not built when grading: the checks run worker in ${image}`,
    ]);
  });
});

describe('each key of the table', () => {
  it('env_file: read from the folder, overridden by environment; a missing required one is an error at its line', () => {
    const files: Record<string, string> = { '.env': '# secrets\nA=from-file\nB="quoted value"\n' };
    const text = 'services:\n  app:\n    image: python:3.10\n    env_file: .env\n    environment:\n      A: from-compose\n';
    const { services, lines } = read(text, { read: (path) => files[path] });
    expect(lines).toEqual([]);
    expect(services?.app?.environment).toEqual({ A: 'from-compose', B: 'quoted value' });
    expect(read(text).lines).toEqual([
      'docker-compose.yml:4:15 services.app.env_file: .env does not exist (Compose refuses to start without it; add required: false to make it optional)',
    ]);
    const optional = 'services:\n  app:\n    image: python:3.10\n    env_file:\n      - path: ./none.env\n        required: false\n';
    expect(read(optional).lines).toEqual([]);
    expect(read('services:\n  app:\n    image: x\n    env_file: ../secrets.env\n').lines).toEqual([
      'docker-compose.yml:4:15 services.app.env_file: ../secrets.env is outside your folder; keep the env file next to the compose file',
    ]);
  });

  it('volumes: bind, named (declared at the top, as Compose requires) and the long form', () => {
    const text = `services:
  redis-db:
    image: redis:7
    volumes:
      - cache:/cache
      - type: bind
        source: ./data
        target: /data
      - type: volume
        source: other
        target: /other
        read_only: true
volumes:
  cache:
`;
    const { services, lines } = read(text);
    expect(lines).toEqual([
      'docker-compose.yml:9:9 services.redis-db.volumes.2: the volume "other" is not declared: add it under the top-level volumes: key, as Compose requires',
    ]);
    expect(services).toBeUndefined();
    const fixed = read(`${text}  other:\n`);
    expect(fixed.lines).toEqual([]);
    expect(fixed.services?.['redis-db']?.mounts).toEqual([
      { kind: 'volume', name: 'cache', target: '/cache', readOnly: false },
      { kind: 'bind', source: './data', target: '/data', readOnly: false },
      { kind: 'volume', name: 'other', target: '/other', readOnly: true },
    ]);
  });

  it('ports in the long form, expose, user, working_dir, entrypoint, tty, stdin_open, hostname, init', () => {
    const { services, lines } = read(`services:
  app:
    image: python:3.10
    ports:
      - target: 5000
        published: 8080
    expose: ["5000", 6000]
    user: "1000"
    working_dir: /app
    entrypoint: ["python"]
    tty: true
    stdin_open: true
    hostname: api
    init: true
`);
    expect(lines).toEqual([]);
    expect(services?.app).toMatchObject({
      ports: [{ hostPort: 8080, containerPort: 5000, protocol: 'tcp' }],
      user: '1000',
      workingDir: '/app',
      entrypoint: ['python'],
      tty: true,
      openStdin: true,
      hostname: 'api',
    });
  });

  it('depends_on in the long form with condition; an unknown condition is Compose’s error with a suggestion', () => {
    const good = read('services:\n  a:\n    image: x\n    depends_on:\n      b: { condition: service_healthy, restart: true }\n  b:\n    image: y\n');
    expect(good.lines).toEqual([]);
    expect(good.services?.a?.dependsOn).toEqual(['b']);
    expect(read('services:\n  a:\n    image: x\n    depends_on:\n      b: { condition: service_healty }\n  b:\n    image: y\n').lines).toEqual([
      'docker-compose.yml:5:23 services.a.depends_on.b.condition: "service_healty" is not one of service_started, service_healthy, service_completed_successfully (did you mean "service_healthy"?)',
    ]);
  });

  it('healthcheck becomes the service’s readiness, waited for as long as Compose would', () => {
    const { services } = read(`services:
  api:
    image: python:3.10
    healthcheck:
      test: ["CMD", "python", "-c", "print(1)"]
      interval: 5s
      retries: 10
      start_period: 1m
  shell:
    image: python:3.10
    healthcheck:
      test: curl -f http://localhost || exit 1
  redis-db:
    image: redis:7
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
`);
    expect(services?.api?.readiness).toEqual({ kind: 'exec', port: 0, command: ['python', '-c', 'print(1)'], timeoutMs: 110_000 });
    expect(services?.shell?.readiness).toMatchObject({ kind: 'exec', command: ['sh', '-c', 'curl -f http://localhost || exit 1'], timeoutMs: 90_000 });
    // Redis stays ready when it answers PING, which is what the grader asks it.
    expect(services?.['redis-db']?.readiness.kind).toBe('redis');
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('soon')).toBeUndefined();
  });

  it('networks: a declared one or the default is accepted; one not declared is Compose’s error', () => {
    expect(read('services:\n  a:\n    image: x\n    networks: [default, back]\nnetworks:\n  back: {}\n').lines).toEqual([]);
    expect(read('services:\n  a:\n    image: x\n    networks: [back]\n').lines).toEqual([
      'docker-compose.yml:4:16 services.a.networks.0: the network "back" is not declared: add it under the top-level networks: key, as Compose requires',
    ]);
  });

  it('replicas: deploy.replicas or scale in labs start; ignored with a note in a check', () => {
    const text = 'services:\n  a:\n    image: x\n    deploy:\n      replicas: 3\n      resources: {}\n  b:\n    image: x\n    scale: 2\n';
    const start = read(text);
    expect(start.lines).toEqual([
      'docker-compose.yml:6:7 services.a.deploy.resources: warning: deploy.resources is ignored: labs applies only deploy.replicas',
    ]);
    expect(start.services?.a?.replicas).toBe(3);
    expect(start.services?.b?.replicas).toBe(2);
    expect(read(text, { purpose: 'grade' }).lines).toEqual([
      'docker-compose.yml:4:5 services.a.deploy: warning: replicas are ignored in a check: each check starts the containers it needs',
      'docker-compose.yml:6:7 services.a.deploy.resources: warning: deploy.resources is ignored: labs applies only deploy.replicas',
      'docker-compose.yml:9:5 services.b.scale: warning: replicas are ignored in a check: each check starts the containers it needs',
    ]);
  });

  it('a key Compose accepts that labs does not apply is a note, never an error; YAML merge keys work', () => {
    const { services, lines } = read(`x-common: &common
  image: python:3.10
  logging:
    driver: json-file
services:
  a:
    <<: *common
    labels: [course=coe332]
    stop_grace_period: 1s
`);
    expect(lines).toEqual(
      [
        'docker-compose.yml:8:5 services.a.labels: warning: labels is ignored: labs labels its containers itself, to find and remove them',
        'docker-compose.yml:9:5 services.a.stop_grace_period: warning: stop_grace_period is ignored: labs does not apply it',
        // The merged key has no line of its own in the service: it is reported where the service starts.
        'docker-compose.yml:6:3 services.a.logging: warning: logging is ignored: labs does not apply it',
      ].sort((x, y) => Number(x.split(':')[1]) - Number(y.split(':')[1])),
    );
    expect(services?.a?.image).toBe('python:3.10');
  });
});

describe('grading stays safe', () => {
  const unsafe = `services:
  redis-db:
    image: redis:7
    privileged: true
    cap_add: [NET_ADMIN]
    devices: ["/dev/kmsg:/dev/kmsg"]
    security_opt: ["seccomp:unconfined"]
    pid: host
    ipc: host
    volumes:
      - /etc:/host-etc
      - ../other-student:/x
      - ./data:/data
    ports:
      - "0.0.0.0:6379:6379"
      - "127.0.0.1:6380:6380"
`;

  it('refuses each key that would open the sandbox as the student’s error, naming the line and why', () => {
    const { services, lines } = read(unsafe, { purpose: 'grade' });
    expect(services).toBeUndefined();
    expect(lines).toEqual([
      'docker-compose.yml:4:5 services.redis-db.privileged: refused when grading: a privileged container has every capability and every device of the host; remove it, the lab does not need it',
      'docker-compose.yml:5:5 services.redis-db.cap_add: refused when grading: added capabilities give the container powers over the host; remove it, the lab does not need it',
      "docker-compose.yml:6:5 services.redis-db.devices: refused when grading: devices give the container the host's hardware; remove it, the lab does not need it",
      'docker-compose.yml:7:5 services.redis-db.security_opt: refused when grading: security options can switch off the confinement grading relies on; remove it, the lab does not need it',
      "docker-compose.yml:8:5 services.redis-db.pid: refused when grading: pid: host shares the host's pid namespace with the container; remove it, the lab does not need it",
      "docker-compose.yml:9:5 services.redis-db.ipc: refused when grading: ipc: host shares the host's ipc namespace with the container; remove it, the lab does not need it",
      'docker-compose.yml:11:9 services.redis-db.volumes.0: refused when grading: /etc is outside your folder; mount only paths in it, like ./data',
      'docker-compose.yml:12:9 services.redis-db.volumes.1: refused when grading: ../other-student is outside your folder; mount only paths in it, like ./data',
      'docker-compose.yml:15:9 services.redis-db.ports.0: refused when grading: it publishes on 0.0.0.0, open to other machines; write the port without an address (labs publishes on 127.0.0.1)',
    ]);
  });

  it('in labs start runs them with a warning, and refuses what would touch labs’s own resources', () => {
    const start = read(unsafe);
    expect(start.services?.['redis-db']?.hostAccess).toEqual({
      privileged: true,
      capAdd: ['NET_ADMIN'],
      devices: ['/dev/kmsg:/dev/kmsg'],
      securityOpt: ['seccomp:unconfined'],
      pidMode: 'host',
      ipcMode: 'host',
    });
    expect(start.lines[0]).toBe(
      'docker-compose.yml:4:5 services.redis-db.privileged: warning: runs on your machine, but grading refuses it: a privileged container has every capability and every device of the host',
    );
    expect(start.problems.every((p) => p.severity === 'warning')).toBe(true);
    const owned = read('services:\n  a:\n    image: x\n    network_mode: host\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock", "./.labs:/state"]\n');
    expect(owned.services).toBeUndefined();
    expect(owned.lines).toEqual([
      "docker-compose.yml:4:5 services.a.network_mode: refused: host networking shares the host's network with the container",
      "docker-compose.yml:5:15 services.a.volumes.0: refused: it hands the container the Docker engine that runs labs's containers",
      "docker-compose.yml:5:60 services.a.volumes.1: refused: it exposes labs's own state of this workspace (.labs/)",
    ]);
  });
});

describe('tabs', () => {
  it('used for indentation are an error with line and column', () => {
    const { services, lines } = read('services:\n  redis-db:\n\timage: redis:7\n');
    expect(services).toBeUndefined();
    expect(lines[0]).toMatch(/^docker-compose\.yml:3:1: Tabs are not allowed as indentation/);
  });

  it('after values are valid YAML 1.2, accepted', () => {
    const { services, lines } = read('services:\n  redis-db:\n    image: redis:7\t\n    command: ["--save", "1", "1"]\t# saves\n');
    expect(lines).toEqual([]);
    expect(services?.['redis-db']).toMatchObject({ image: 'redis:7', command: ['--save', '1', '1'] });
  });
});
