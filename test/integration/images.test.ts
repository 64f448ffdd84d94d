/**
 * Prepared images against the real engine: a base image that already has the lab's packages is
 * used without installing anything (and remembered), and an install that cannot succeed is an
 * infrastructure error with pip's own last lines, leaving no container behind.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { LabsError } from '../../runner/errors.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { type ImageEvent, prepareImage, preparedTag } from '../../runner/provision/images.js';

const runtime = new DockerRuntime();
const prepareContainers = async (): Promise<string> =>
  (await execa('docker', ['ps', '-aq', '--filter', 'label=labs.role=prepare'])).stdout.trim();

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
