/** Small lab folders written by each test in a temporary root: labs/<id>/ and templates/<id>/. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LabsError } from '../../../runner/errors.js';

export interface LabFixture {
  id?: string;
  yaml: string;
  /** templates/<id>/starter/<path> → content */
  starter?: Record<string, string>;
  /** templates/<id>/solution/<path> → content; undefined: same files as the starter */
  solution?: Record<string, string> | null;
}

export async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'labs-unit-'));
}

export async function write(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Writes one lab under `root`; returns its folder. */
export async function writeLab(root: string, fixture: LabFixture): Promise<string> {
  const id = fixture.id ?? 'exercise-9';
  const dir = join(root, 'labs', id);
  await write(join(dir, 'lab.yaml'), fixture.yaml);
  const starter = fixture.starter ?? {};
  for (const [path, text] of Object.entries(starter)) await write(join(root, 'templates', id, 'starter', path), text);
  if (fixture.solution !== null) {
    for (const [path, text] of Object.entries(fixture.solution ?? starter)) await write(join(root, 'templates', id, 'solution', path), text);
  }
  return dir;
}

export const simpleLab = `id: exercise-9
title: The consume method
summary: A producer and a consumer
services:
  redis-db:
    image: redis:7
  python:
    image: python:3.10
    command: sleep infinity
    student: true
files:
  - path: producer.py
    role: producer
  - path: consumer.py
    role: consumer
scripts:
  producer:
    service: python
    command: [python, producer.py]
checks:
  - id: delivery
    kind: delivery
    points: 5
`;

export const simpleStarter = { 'producer.py': '# put\n', 'consumer.py': '# consume\n' };

export const composeLab = `id: exercise-8
title: Three containers
summary: From the student's compose file
compose: docker-compose.yml
services:
  python1:
    student: true
    packages:
      pip: [hotqueue]
  python2:
    student: true
    environment:
      EXTRA: "1"
      MODE: lab
files:
  - path: docker-compose.yml
    role: compose
  - path: producer.py
scripts:
  producer:
    service: python1
    command: [python, producer.py]
`;

export const composeFile = `services:
  redis-db:
    image: redis:7
    command: ["--save", "1", "1"]
    volumes:
      - ./data:/data
    user: "1000:1000"
    ports:
      - "6379:6379"
  python1:
    image: python:3.10
    command: sleep infinity
    depends_on: [redis-db]
  python2:
    image: python:3.10
    command: sleep infinity
    environment:
      MODE: compose
`;

export const composeStarter = { 'docker-compose.yml': composeFile, 'producer.py': '# put\n' };

/** The LabsError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function caught(promise: Promise<unknown>): Promise<LabsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LabsError) return error;
    throw error;
  }
  throw new Error('expected a LabsError');
}
