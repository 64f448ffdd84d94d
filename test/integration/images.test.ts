/**
 * Prepared images against the real engine: a base image that already has the lab's packages is
 * used without installing anything (and remembered), and an install that cannot succeed is an
 * infrastructure error with pip's own last lines, leaving no container behind. Version pins are
 * judged in the image: a pin the stand-in satisfies needs no network, one it does not is
 * installed (which fails offline, in pip's words), and an image that cannot judge a pin says so.
 */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { LabsError } from '../../runner/errors.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { type ImageEvent, type Packages, prepareImage, preparedTag } from '../../runner/provision/images.js';
import { buildTestImage, removeImages } from '../helpers/images.js';

const runtime = new DockerRuntime();
const prepareContainers = async (): Promise<string> => (await execa('docker', ['ps', '-aq', '--filter', 'label=labs.role=prepare'])).stdout.trim();

describe('prepareImage', () => {
  it('probes once, installs nothing when the image has the packages, and reuses the result', async () => {
    const baseId = (await runtime.imageId('python:3.10'))!;
    const tag = preparedTag(baseId, { pip: ['hotqueue', 'redis'], npm: [] });
    await execa('docker', ['rmi', `labs-prepared:${tag}`], { reject: false });
    const events: ImageEvent[] = [];
    const image = await prepareImage(runtime, 'python:3.10', { pip: ['hotqueue', 'redis'], npm: [] }, (e) => events.push(e));
    expect(image).toBe(`labs-prepared:${tag}`);
    expect(events.map((e) => e.type)).toEqual(['prepare', 'prepared']);
    expect(events[0]).toMatchObject({ missing: [] });
    const again: ImageEvent[] = [];
    expect(await prepareImage(runtime, 'python:3.10', { pip: ['redis', 'hotqueue'], npm: [] }, (e) => again.push(e))).toBe(image);
    expect(again).toEqual([]);
    expect(await prepareContainers()).toBe('');
  });

  it('an image without packages is used as it is', async () => {
    expect(await prepareImage(runtime, 'redis:7', { pip: [], npm: [] })).toBe('redis:7');
  });

  it('a failed install is IMAGE_PREPARE_FAILED naming the packages, with pip’s last lines and a next step', async () => {
    const error = await prepareImage(runtime, 'redis:7', { pip: ['labs-no-such-package-xyz'], npm: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LabsError);
    const e = error as LabsError;
    expect(e.code).toBe('IMAGE_PREPARE_FAILED');
    expect(e.message).toMatch(/^installing labs-no-such-package-xyz into redis:7 failed \(exit \d+\)$/);
    // pip's own words: here that the image's Python is externally managed, offline that no index answers.
    expect(e.details[0]).toMatch(/^error/i);
    expect(e.hint).toMatch(/check your connection/);
    expect(await prepareContainers()).toBe('');
  });
});

/** Prepares with a fresh start (the tag removed first) and returns the events and the outcome. */
async function prepareFresh(image: string, packages: Packages): Promise<{ events: ImageEvent[]; tag: string; result: string | LabsError }> {
  const tag = `labs-prepared:${preparedTag((await runtime.imageId(image))!, packages)}`;
  await removeImages(tag);
  const events: ImageEvent[] = [];
  const result = await prepareImage(runtime, image, packages, (e) => events.push(e)).catch((e: unknown) => {
    if (e instanceof LabsError) return e;
    throw e;
  });
  return { events, tag, result };
}

const probedOf = (events: ImageEvent[]) => {
  const prepare = events.find((e) => e.type === 'prepare');
  return prepare?.type === 'prepare' ? prepare.probed.map((p) => [p.entry, p.installed, p.state]) : undefined;
};

describe('prepareImage with version pins', () => {
  // Package sets no shipped lab uses, so that removing their tags never touches another test's image.
  const satisfied: Packages = { pip: ['hotqueue==0.2.8', 'redis>=4.2,<8'], npm: [] };
  const made: string[] = [];
  afterAll(async () => removeImages(...made));

  it('a pin the stand-in satisfies is prepared with no install step: the prepared image is the base, tagged', async () => {
    const { events, tag, result } = await prepareFresh('python:3.10', satisfied);
    made.push(tag);
    expect(result).toBe(tag);
    expect(events.map((e) => e.type)).toEqual(['prepare', 'prepared']);
    expect(events[0]).toMatchObject({ missing: [] });
    expect(probedOf(events)).toEqual([
      ['hotqueue==0.2.8', '0.2.8', 'satisfied'],
      ['redis>=4.2,<8', '4.3.4', 'satisfied'],
    ]);
    // Nothing was installed: the prepared name points at the base image itself.
    expect(await runtime.imageId(tag)).toBe(await runtime.imageId('python:3.10'));
    expect(await prepareContainers()).toBe('');
  });

  it('a changed pin is a new prepared image, probed again', async () => {
    const repinned: Packages = { pip: ['hotqueue==0.2.8', 'redis>=4.2,<7'], npm: [] };
    const baseId = (await runtime.imageId('python:3.10'))!;
    expect(preparedTag(baseId, repinned)).not.toBe(preparedTag(baseId, satisfied));
    const { events, tag, result } = await prepareFresh('python:3.10', repinned);
    made.push(tag);
    expect(result).toBe(tag);
    expect(events.map((e) => e.type)).toEqual(['prepare', 'prepared']);
  });

  it('a pin the stand-in does not satisfy is installed with its specifier: offline, IMAGE_PREPARE_FAILED in pip’s words', async () => {
    // redis>=99 exists nowhere, so the install fails the same way with or without an index.
    const { events, tag, result } = await prepareFresh('python:3.10', { pip: ['hotqueue', 'redis>=99'], npm: [] });
    expect(events[0]).toMatchObject({ type: 'prepare', missing: ['redis>=99'] });
    expect(probedOf(events)).toEqual([
      ['hotqueue', '0.2.8', 'satisfied'],
      ['redis>=99', '4.3.4', 'unsatisfied'],
    ]);
    expect(result).toBeInstanceOf(LabsError);
    const e = result as LabsError;
    expect(e.code).toBe('IMAGE_PREPARE_FAILED');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('installing redis>=99 into python:3.10 failed (exit 1)');
    expect(e.details).toContainEqual(expect.stringMatching(/^ERROR: .*redis>=99/));
    expect(await runtime.imageId(tag)).toBeUndefined();
    expect(await prepareContainers()).toBe('');
  }, 120_000);

  it('npm ranges are judged with npm’s semver against the version node finds', async () => {
    const { events, tag, result } = await prepareFresh('node:20', { pip: [], npm: ['ioredis@>=5 <6'] });
    made.push(tag);
    expect(result).toBe(tag);
    expect(probedOf(events)).toEqual([['ioredis@>=5 <6', expect.stringMatching(/^5\./), 'satisfied']]);
    const older = await prepareFresh('node:20', { pip: [], npm: ['ioredis@>=4 <5'] });
    expect(older.events[0]).toMatchObject({ type: 'prepare', missing: ['ioredis@>=4 <5'] });
    expect(older.result).toMatchObject({ code: 'IMAGE_PREPARE_FAILED', message: expect.stringMatching(/^installing ioredis@>=4 <5 into node:20 failed/) });
  }, 120_000);

  it('an image that cannot judge a pin is an infrastructure error naming the image and the package; an unpinned entry needs no judging', async () => {
    // python:3.10 without pip and without a standalone packaging: nothing in it can evaluate PEP 440.
    const image = await buildTestImage(
      'no-packaging',
      [
        'FROM python:3.10',
        'RUN for m in pip packaging; do d=$(python3 -c "import os, $m; print(os.path.dirname($m.__file__))" 2>/dev/null) && rm -rf "$d"; done; true',
        '',
      ].join('\n'),
    );
    made.push(image);
    const pinned = await prepareFresh(image, { pip: ['hotqueue', 'redis>=4.2,<8'], npm: [] });
    expect(pinned.result).toBeInstanceOf(LabsError);
    const e = pinned.result as LabsError;
    expect(e.code).toBe('IMAGE_PREPARE_FAILED');
    expect(e.message).toBe(`cannot tell whether ${image} satisfies redis>=4.2,<8 (it has redis 4.3.4)`);
    expect(e.details[0]).toBe('neither pip nor packaging can be imported by python3');
    expect(e.hint).toMatch(/drop the specifier of redis in the lab$/);
    expect(await runtime.imageId(pinned.tag)).toBeUndefined();

    const unpinned = await prepareFresh(image, { pip: ['hotqueue', 'redis'], npm: [] });
    made.push(unpinned.tag);
    expect(unpinned.result).toBe(unpinned.tag);
    expect(await prepareContainers()).toBe('');
  }, 120_000);
});
