import { describe, it, expect } from 'vitest';
import { labSchema } from '../../../runner/lab/schema.js';
import { normaliseLab, normaliseOverlay, normaliseService } from '../../../runner/lab/normalise.js';
import { shellWords } from '../../../runner/lab/shell-words.js';
import { toEnvironment } from '../../../runner/lab/environment.js';
import { parseVolume } from '../../../runner/lab/volumes.js';
import { parsePort } from '../../../runner/lab/ports.js';

describe('shellWords', () => {
  it('splits like compose: blanks, quotes, backslashes, no expansion', () => {
    expect(shellWords('sleep infinity')).toEqual({ ok: true, value: ['sleep', 'infinity'] });
    expect(shellWords(`sh -c 'echo "$HOME" && exit 0'`)).toEqual({ ok: true, value: ['sh', '-c', 'echo "$HOME" && exit 0'] });
    expect(shellWords(`a "b \\"c\\" d" e\\ f '' x`)).toEqual({ ok: true, value: ['a', 'b "c" d', 'e f', '', 'x'] });
    expect(shellWords('  --save   1 1 ')).toEqual({ ok: true, value: ['--save', '1', '1'] });
  });

  it('fails on an unterminated quote or an empty command', () => {
    expect(shellWords(`echo 'oops`)).toEqual({ ok: false, error: `unterminated ' quote in "echo 'oops"` });
    expect(shellWords('   ')).toEqual({ ok: false, error: 'the command is empty' });
  });
});

describe('toEnvironment', () => {
  it('takes a map with scalars or a KEY=VALUE list', () => {
    expect(toEnvironment({ A: 'x', N: 5, B: true, E: null })).toEqual({ A: 'x', N: '5', B: 'true', E: '' });
    expect(toEnvironment(['A=x', 'B=a=b', 'C=', 'D'])).toEqual({ A: 'x', B: 'a=b', C: '', D: '' });
    expect(toEnvironment(undefined)).toEqual({});
  });
});

describe('parseVolume', () => {
  it('reads bind mounts and named volumes, read-only or not', () => {
    expect(parseVolume('./data:/data')).toEqual({ ok: true, value: { kind: 'bind', source: './data', target: '/data', readOnly: false } });
    expect(parseVolume('/srv/x:/x:ro')).toEqual({ ok: true, value: { kind: 'bind', source: '/srv/x', target: '/x', readOnly: true } });
    expect(parseVolume('~/cache:/c:rw')).toEqual({ ok: true, value: { kind: 'bind', source: '~/cache', target: '/c', readOnly: false } });
    expect(parseVolume('redis-data:/data')).toEqual({ ok: true, value: { kind: 'volume', name: 'redis-data', target: '/data', readOnly: false } });
  });

  it('explains what is wrong', () => {
    expect(parseVolume('/data')).toEqual({ ok: false, error: '"/data": write SOURCE:TARGET or SOURCE:TARGET:ro' });
    expect(parseVolume('./d:data')).toEqual({ ok: false, error: '"./d:data": the target "data" must be an absolute path in the container' });
    expect(parseVolume('./d:/d:z')).toEqual({ ok: false, error: '"./d:/d:z": the mode "z" is not supported; use ro or rw' });
  });
});

describe('parsePort', () => {
  it('reads every documented form; the host address is dropped', () => {
    expect(parsePort('6379:6379')).toEqual({ ok: true, value: { hostPort: 6379, containerPort: 6379, protocol: 'tcp' } });
    expect(parsePort('127.0.0.1:16379:6379')).toEqual({ ok: true, value: { hostPort: 16379, containerPort: 6379, protocol: 'tcp' } });
    expect(parsePort(6379)).toEqual({ ok: true, value: { hostPort: 6379, containerPort: 6379, protocol: 'tcp' } });
    expect(parsePort('5000:5000/udp')).toEqual({ ok: true, value: { hostPort: 5000, containerPort: 5000, protocol: 'udp' } });
    expect(parsePort('53/udp')).toEqual({ ok: true, value: { hostPort: 53, containerPort: 53, protocol: 'udp' } });
  });

  it('rejects ranges, random host ports, bad protocols and out-of-range ports', () => {
    expect(parsePort('8000-8010:8000-8010').ok).toBe(false);
    expect(parsePort('127.0.0.1::6379').ok).toBe(false);
    expect(parsePort('6379/sctp')).toEqual({ ok: false, error: '"6379/sctp": the protocol must be tcp or udp' });
    expect(parsePort('70000:1')).toEqual({ ok: false, error: '"70000:1": 70000 is not a port (1-65535)' });
  });
});

describe('normaliseService', () => {
  it('resolves every shape and applies the defaults', () => {
    const redis = normaliseService('redis-db', { image: 'redis:7', command: '--save 1 1', volumes: ['./data:/data'], ports: [6379], user: 1000 }, 'redis-db');
    expect(redis).toEqual({
      name: 'redis-db',
      image: 'redis:7',
      command: ['--save', '1', '1'],
      entrypoint: undefined,
      environment: {},
      mounts: [{ kind: 'bind', source: './data', target: '/data', readOnly: false }],
      ports: [{ hostPort: 6379, containerPort: 6379, protocol: 'tcp' }],
      user: '1000',
      workingDir: undefined,
      dependsOn: [],
      packages: { pip: [], npm: [] },
      readiness: { kind: 'redis', port: 6379, command: undefined, timeoutMs: 30000 },
      student: false,
    });
  });

  it('gives student services REDIS_IP unless they set it, and reads depends_on in both forms', () => {
    const python = normaliseService(
      'python',
      {
        image: 'python:3.10',
        entrypoint: ['sleep'],
        student: true,
        environment: ['A=1'],
        depends_on: { 'redis-db': { condition: 'x' } },
        packages: { pip: ['hotqueue'] },
      },
      'redis-db',
    );
    expect(python.environment).toEqual({ REDIS_IP: 'redis-db', A: '1' });
    expect(python.entrypoint).toEqual(['sleep']);
    expect(python.dependsOn).toEqual(['redis-db']);
    expect(python.packages).toEqual({ pip: ['hotqueue'], npm: [] });
    expect(python.readiness).toEqual({ kind: 'running', port: 0, command: undefined, timeoutMs: 30000 });
    const own = normaliseService('node', { image: 'node:20', student: true, environment: { REDIS_IP: '10.0.0.1' }, depends_on: ['redis-db'] }, 'redis-db');
    expect(own.environment).toEqual({ REDIS_IP: '10.0.0.1' });
    expect(own.dependsOn).toEqual(['redis-db']);
  });

  it('completes a partial readiness', () => {
    const s = normaliseService('api', { image: 'x', readiness: { kind: 'exec', command: ['true'], timeout_ms: 5000 } }, 'redis-db');
    expect(s.readiness).toEqual({ kind: 'exec', port: 0, command: ['true'], timeoutMs: 5000 });
  });
});

describe('normaliseLab', () => {
  const location = { dir: '/r/labs/x', file: '/r/labs/x/lab.yaml', templatesDir: '/r/templates/x' };

  it('fills defaults and keeps the lab order of files and checks', () => {
    const input = labSchema.parse({
      id: 'x',
      title: 't',
      summary: 's',
      services: { 'redis-db': { image: 'redis:7' }, python: { image: 'python:3.10', student: true } },
      files: [
        { path: 'producer.py', role: 'producer' },
        { path: 'notes.md', description: 'd' },
      ],
      checks: [
        { id: 'b', kind: 'latency', points: 1 },
        { id: 'a', kind: 'delivery', points: 2 },
      ],
    });
    const lab = normaliseLab(input, location);
    expect(lab).toMatchObject({
      id: 'x',
      runtime: 'python',
      workdir: '/lab',
      redisService: 'redis-db',
      compose: undefined,
      files: [
        { path: 'producer.py', role: 'producer', description: undefined },
        { path: 'notes.md', role: 'other', description: 'd' },
      ],
      scripts: {},
      nextSteps: [],
      ...location,
    });
    expect(lab.checks.map((c) => c.id)).toEqual(['b', 'a']);
    expect(lab.services.python).toMatchObject({ name: 'python', student: true, environment: { REDIS_IP: 'redis-db' } });
  });

  it("keeps a compose lab's services as overlays", () => {
    const input = labSchema.parse({
      id: 'x',
      title: 't',
      summary: 's',
      compose: 'docker-compose.yml',
      services: { python1: { student: true, readiness: { kind: 'running', timeout_ms: 1000 } }, 'redis-db': {} },
      files: [{ path: 'docker-compose.yml' }],
    });
    const lab = normaliseLab(input, location);
    expect(lab.services.python1).toEqual({
      overlay: true,
      environment: { REDIS_IP: 'redis-db' },
      packages: undefined,
      readiness: { kind: 'running', timeoutMs: 1000 },
      student: true,
    });
    expect(normaliseOverlay({ packages: { npm: ['ioredis'] } }, 'redis-db')).toEqual({
      overlay: true,
      environment: {},
      packages: { pip: [], npm: ['ioredis'] },
      readiness: undefined,
      student: undefined,
    });
  });
});
