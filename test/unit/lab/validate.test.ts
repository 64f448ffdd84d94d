import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { validateLab } from '../../../runner/lab/validate.js';
import { formatProblem } from '../../../runner/lab/problem.js';
import { composeFile, composeLab, composeStarter, simpleLab, simpleStarter, tempRoot, write, writeLab } from './fixture.js';

async function problemsOf(yaml: string, options: { starter?: Record<string, string>; solution?: Record<string, string> | null; id?: string } = {}) {
  const root = await tempRoot();
  const dir = await writeLab(root, { yaml, starter: options.starter ?? simpleStarter, solution: options.solution, id: options.id });
  const result = await validateLab(dir);
  return { result, lines: result.problems.map((p) => formatProblem(p, root)), root, dir };
}

describe('validateLab', () => {
  it('accepts a valid lab and returns the schema output with defaults', async () => {
    const { result, lines } = await problemsOf(simpleLab);
    expect(lines).toEqual([]);
    expect(result.input?.workdir).toBe('/lab');
    expect(result.input?.redis).toBe('redis-db');
  });

  it('stage 1: a YAML syntax error is reported at its own line:col, and nothing else', async () => {
    const { lines } = await problemsOf('id: exercise-9\ntitle: "unterminated\nsummary: x\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^labs\/exercise-9\/lab\.yaml:\d+:\d+: Missing closing "quote$/);
  });

  it('stage 1: duplicate keys are syntax errors located at the second key', async () => {
    const { lines } = await problemsOf(simpleLab.replace('summary:', 'title: again\nsummary:'));
    expect(lines).toEqual(['labs/exercise-9/lab.yaml:3:1: Map keys must be unique']);
  });

  it('locates a misspelled key in a nested service at the key, with a suggestion', async () => {
    const { lines } = await problemsOf(simpleLab.replace('    image: python:3.10', '    imag: python:3.10'));
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:7:3 services.python: missing required key "image"',
      'labs/exercise-9/lab.yaml:8:5 services.python.imag: unknown key "imag" (did you mean "image"?)',
    ]);
  });

  it("a check's options are its kind's own: a field meant for another kind is an error at its line:col", async () => {
    const yaml = simpleLab.replace('    kind: delivery\n    points: 5\n', '    kind: producer\n    points: 5\n    within_ms: 500\n    messages: 4\n');
    const { lines } = await problemsOf(yaml);
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:24:5 checks.0.within_ms: unknown key "within_ms"; allowed: id, kind, points, title, hint, messages, timeout_ms',
    ]);
    const latency = simpleLab.replace('    kind: delivery\n    points: 5\n', '    kind: latency\n    points: 5\n    within_ms: 500\n');
    expect((await problemsOf(latency)).lines).toEqual([]);
  });

  it('reports every problem at once, in reading order', async () => {
    const yaml = simpleLab
      .replace('id: exercise-9', 'id: exercise-7')
      .replace('    student: true\n', '    student: true\n    readines: {kind: running}\n')
      .replace('kind: delivery', 'kind: delivry')
      .replace('points: 5', 'points: -1')
      .replace('service: python\n', 'service: pyton\n');
    const { lines } = await problemsOf(yaml);
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:1:5 id: the id "exercise-7" must equal the folder name "exercise-9"',
      'labs/exercise-9/lab.yaml:11:5 services.python.readines: unknown key "readines" (did you mean "readiness"?)',
      'labs/exercise-9/lab.yaml:19:14 scripts.producer.service: no service "pyton" in services (did you mean "python"?)',
      'labs/exercise-9/lab.yaml:23:11 checks.0.kind: "delivry" is not one of delivery, sharing, latency, blocking, producer, static, modules, persistence, restart, address, api-create, api-read, job-lifecycle, workers-share, queue-holds-without-worker, worker-keeps-running, redis-from-env (did you mean "delivery"?)',
      'labs/exercise-9/lab.yaml:24:13 checks.0.points: must be at least 0',
    ]);
  });

  it('words type errors, union mismatches and formats in the terms of the file', async () => {
    const yaml = simpleLab
      .replace('    command: sleep infinity\n', '    command: 5\n    user: [1]\n    ports: ["6379:6379:1"]\n    volumes: ["./data"]\n')
      .replace('summary: A producer and a consumer', 'summary: 12')
      .replace('title: The consume method\n', 'title: The consume method\nworkdir: lab\n');
    const { lines } = await problemsOf(yaml);
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:3:10 workdir: "lab" is not valid: an absolute path in the container',
      'labs/exercise-9/lab.yaml:4:10 summary: expected a string, got 12',
      'labs/exercise-9/lab.yaml:10:14 services.python.command: expected a string or a list, got 5',
      'labs/exercise-9/lab.yaml:11:11 services.python.user: expected a string or a number, got a list',
      'labs/exercise-9/lab.yaml:12:13 services.python.ports.0: "6379:6379:1": write HOST:CONTAINER (e.g. "6379:6379") or one port; ranges and random host ports are not supported',
      'labs/exercise-9/lab.yaml:13:15 services.python.volumes.0: "./data": write SOURCE:TARGET or SOURCE:TARGET:ro',
    ]);
  });

  it('reports a missing top-level key at the document and an invalid service name at its key', async () => {
    const yaml = simpleLab.replace('title: The consume method\n', '').replace('  python:\n', '  Python:\n');
    const { lines } = await problemsOf(yaml);
    expect(lines).toContain('labs/exercise-9/lab.yaml:1:1: missing required key "title"');
    expect(lines).toContain('labs/exercise-9/lab.yaml:6:3 services.Python: "Python" is not a valid name: use lower-case letters, digits, "-", "_" or "."');
  });

  it('cross-field: redis service, student service, unique check ids, file paths, check files', async () => {
    const yaml = `id: exercise-9
title: t
summary: s
redis: redis
services:
  redis-db:
    image: redis:7
files:
  - path: ../producer.py
  - path: /abs.py
  - path: ok.py
  - path: ok.py
checks:
  - {id: one, kind: static, points: 1, file: wrker.py}
  - {id: one, kind: latency, points: 1}
`;
    const { lines } = await problemsOf(yaml, { starter: { 'ok.py': '' } });
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:5:1 services: no service "redis" in services for Redis (did you mean "redis-db"?)',
      "labs/exercise-9/lab.yaml:5:1 services: no service has student: true; set it on the service(s) where the student's files run",
      'labs/exercise-9/lab.yaml:9:11 files.0.path: "../producer.py" must stay inside the workspace (no "..")',
      'labs/exercise-9/lab.yaml:10:11 files.1.path: "/abs.py" must be relative to the workspace',
      'labs/exercise-9/lab.yaml:12:11 files.3.path: "ok.py" is listed twice',
      'labs/exercise-9/lab.yaml:14:46 checks.0.file: "wrker.py" is not one of the lab\'s files',
      'labs/exercise-9/lab.yaml:15:10 checks.1.id: duplicate check id "one" (first at checks.0)',
    ]);
  });

  it('requires a starter and a reference solution for every file', async () => {
    const { lines } = await problemsOf(simpleLab, { starter: { 'producer.py': '' }, solution: { 'consumer.py': '' } });
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:12:11 files.0.path: no reference solution: templates/exercise-9/solution/producer.py is missing',
      'labs/exercise-9/lab.yaml:14:11 files.1.path: no starter file: templates/exercise-9/starter/consumer.py is missing',
    ]);
    const missing = await problemsOf(simpleLab, { solution: null });
    expect(missing.lines).toEqual([
      'labs/exercise-9/lab.yaml:11:1 files: no reference solution: templates/exercise-9/solution/ is missing (selftest needs it)',
    ]);
  });

  it('warns when a script runs in a service without the student files', async () => {
    const { result, lines } = await problemsOf(simpleLab.replace('    service: python', '    service: redis-db'));
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:18:14 scripts.producer.service: warning: service "redis-db" has no student files: set student: true on it',
    ]);
    expect(result.input).toBeDefined();
  });

  it('keeps quiet about rules on parts that are not even the right shape', async () => {
    expect((await problemsOf('- a\n- b\n')).lines).toEqual(['labs/exercise-9/lab.yaml:1:1: expected a mapping (key: value), got a list']);
    const yaml =
      'id: exercise-9\ntitle: t\nsummary: s\nservices: [a]\nfiles: [{path: producer.py}]\nchecks: [{id: a}]\nscripts: {producer: {service: x, command: [a]}}\n';
    expect((await problemsOf(yaml, { starter: { 'producer.py': '' } })).lines).toEqual([
      'labs/exercise-9/lab.yaml:4:11 services: expected a mapping (key: value), got a list',
      'labs/exercise-9/lab.yaml:6:10 checks.0: missing required key "kind"',
      'labs/exercise-9/lab.yaml:6:10 checks.0: missing required key "points"',
    ]);
  });

  it('explains nested union and list-item errors', async () => {
    const yaml = simpleLab.replace('    student: true\n', '    student: yes\n    environment: {A: [1], B: null, C: 3}\n    readiness: {kind: http}\n');
    expect((await problemsOf(yaml)).lines).toEqual([
      "labs/exercise-9/lab.yaml:4:1 services: no service has student: true; set it on the service(s) where the student's files run",
      'labs/exercise-9/lab.yaml:10:14 services.python.student: expected true/false, got "yes"',
      'labs/exercise-9/lab.yaml:11:22 services.python.environment.A: expected a string, a number or true/false, got a list',
      'labs/exercise-9/lab.yaml:12:23 services.python.readiness.kind: "http" is not one of redis, running, exec',
      'labs/exercise-9/lab.yaml:20:14 scripts.producer.service: warning: service "python" has no student files: set student: true on it',
    ]);
  });
});

describe('validateLab: version specifiers in packages', () => {
  it('accepts pip requirements with PEP 440 specifiers and npm specs with semver ranges', async () => {
    const yaml = simpleLab.replace(
      '    student: true\n',
      '    student: true\n    packages:\n      pip: [hotqueue==0.2.8, "redis>=4.2,<8", "Requests ~= 2.31", zope.interface]\n      npm: ["ioredis@^5", "@scope/pkg@5.x", "redis@>=4 <6", bullmq]\n',
    );
    const { lines, result } = await problemsOf(yaml);
    expect(lines).toEqual([]);
    expect(result.input).toBeDefined();
  });

  it('reports each malformed entry at its own line:col with the reason, and the lab does not load', async () => {
    const yaml = simpleLab.replace(
      '    student: true\n',
      [
        '    student: true',
        '    packages:',
        '      pip:',
        '        - "redis>=4.2,,<8"',
        '        - redis 4.3',
        '        - "requests[socks]>=2"',
        `        - 'redis; python_version < "3.8"'`,
        '        - ">=4"',
        '      npm: ["ioredis@latest", "IORedis@5", "ioredis@"]',
        '',
      ].join('\n'),
    );
    const { lines, result } = await problemsOf(yaml);
    expect(lines).toEqual([
      'labs/exercise-9/lab.yaml:13:11 services.python.packages.pip.0: "redis>=4.2,,<8": ">=4.2,,<8" is not a PEP 440 version specifier (e.g. >=4.2,<8, ==0.2.8, ~=4.2)',
      'labs/exercise-9/lab.yaml:14:11 services.python.packages.pip.1: "redis 4.3": "4.3" is not a PEP 440 version specifier (e.g. >=4.2,<8, ==0.2.8, ~=4.2)',
      'labs/exercise-9/lab.yaml:15:11 services.python.packages.pip.2: "requests[socks]>=2": extras ([…]) are not supported; list the packages the extra would add',
      'labs/exercise-9/lab.yaml:16:11 services.python.packages.pip.3: "redis; python_version < \\"3.8\\"": environment markers (; …) are not supported; the lab\'s image decides the Python',
      'labs/exercise-9/lab.yaml:17:11 services.python.packages.pip.4: ">=4": a pip requirement starts with the distribution\'s name, e.g. redis>=4.2,<8',
      'labs/exercise-9/lab.yaml:18:13 services.python.packages.npm.0: "ioredis@latest": "latest" is not a semver range (e.g. ^5, 5.x, >=5.3 <6); tags, URLs and paths are not supported',
      'labs/exercise-9/lab.yaml:18:31 services.python.packages.npm.1: "IORedis@5": "IORedis" is not an npm package name (lower case, e.g. ioredis or @scope/name)',
      'labs/exercise-9/lab.yaml:18:44 services.python.packages.npm.2: "ioredis@": "" is not a semver range (e.g. ^5, 5.x, >=5.3 <6); tags, URLs and paths are not supported',
    ]);
    expect(result.input).toBeUndefined();
  });

  it("checks the packages of a compose lab's overlays too", async () => {
    const yaml = composeLab.replace('pip: [hotqueue]', 'pip: [hotqueue, "redis=4"]');
    const { lines } = await problemsOf(yaml, { id: 'exercise-8', starter: composeStarter });
    expect(lines).toEqual([
      'labs/exercise-8/lab.yaml:9:23 services.python1.packages.pip.1: "redis=4": "=4" is not a PEP 440 version specifier (e.g. >=4.2,<8, ==0.2.8, ~=4.2)',
    ]);
  });
});

describe('validateLab with compose:', () => {
  it('accepts overlays of services in the starter compose file', async () => {
    const { lines, result } = await problemsOf(composeLab, { id: 'exercise-8', starter: composeStarter });
    expect(lines).toEqual([]);
    expect(result.input?.compose).toBe('docker-compose.yml');
  });

  it('rejects topology in overlays, unknown overlay services, and an unlisted compose file', async () => {
    const yaml = composeLab.replace('  python2:\n', '  python3:\n    image: python:3.10\n').replace('  - path: docker-compose.yml\n    role: compose\n', '');
    const { lines } = await problemsOf(yaml, { id: 'exercise-8', starter: composeStarter });
    expect(lines).toEqual([
      'labs/exercise-8/lab.yaml:4:10 compose: "docker-compose.yml" must also be listed in files, so the student gets it',
      'labs/exercise-8/lab.yaml:10:3 services.python3: no service "python3" in docker-compose.yml (did you mean "python1"?); services there: redis-db, python1, python2',
      'labs/exercise-8/lab.yaml:11:5 services.python3.image: "image" cannot be set here: with compose: the topology comes from docker-compose.yml; set it there',
    ]);
  });

  it('reports problems of the starter compose file in that file, and a missing Redis service', async () => {
    const starter = { ...composeStarter, 'docker-compose.yml': composeFile.replace('redis-db:\n    image', 'redis:\n    deploy: []\n    image') };
    const { lines } = await problemsOf(composeLab, { id: 'exercise-8', starter });
    expect(lines).toEqual([
      'labs/exercise-8/lab.yaml:4:1 compose: no service "redis-db" in docker-compose.yml for Redis',
      'templates/exercise-8/starter/docker-compose.yml:3:13 services.redis.deploy: expected a mapping (key: value) or nothing, got a list',
      'templates/exercise-8/starter/docker-compose.yml:14:18 services.python1.depends_on.0: no service "redis-db" in this file',
    ]);
  });
});

describe('validateLab input', () => {
  it('accepts the lab.yaml path as well as the folder', async () => {
    const root = await tempRoot();
    const dir = await writeLab(root, { yaml: simpleLab, starter: simpleStarter });
    expect((await validateLab(join(dir, 'lab.yaml'))).problems).toEqual([]);
    await write(join(root, 'labs', 'empty', 'lab.yaml'), '');
    const empty = await validateLab(join(root, 'labs', 'empty'));
    expect(empty.problems.map((p) => formatProblem(p, root))[0]).toBe('labs/empty/lab.yaml:1:1: expected a mapping (key: value), got nothing');
  });
});
