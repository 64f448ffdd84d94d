/**
 * The recorder's image, against the real engine: made once from a base image with Node.js, with the
 * recorder's files in it and the base's entrypoint and command kept; sessions that ask at the same
 * time get the same image, made once; nothing is left of the making.
 */
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { recorderImage, recorderRepo } from '../../runner/provision/recorder/image.js';

const base = `labs-test/recorder-base:${Date.now().toString(36)}`;
const made: string[] = [];

afterAll(async () => {
  await execa('docker', ['rmi', '-f', ...made, base], { reject: false });
});

describe('the recorder image', () => {
  it('is made once from its base, holds the recorder, and keeps the base entrypoint and command', async () => {
    // A base of its own (node:20 itself has its recorder image already, made by the other tests).
    const maker = (await execa('docker', ['create', 'node:20'])).stdout.trim();
    await execa('docker', ['commit', '--change', `LABEL labs.test.base=${base}`, maker, base]);
    await execa('docker', ['rm', maker]);
    const runtime = new DockerRuntime();
    const asked = await Promise.all([recorderImage(runtime, base), recorderImage(runtime, base), recorderImage(new DockerRuntime(), base)]);
    made.push(asked[0]);
    expect(new Set(asked).size).toBe(1);
    expect(asked[0]).toMatch(new RegExp(`^${recorderRepo}:[0-9a-f]{16}$`));
    const ofBase = (await execa('docker', ['images', '-q', '--filter', `label=labs.recorder.from=${base}`])).stdout.split('\n').filter(Boolean);
    expect(ofBase).toHaveLength(1);
    const listed = await execa('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'node',
      asked[0],
      '-e',
      'require("/recorder/node_modules/@jsonjoy.com/json-pack/lib/resp/RespStreamingDecoder"); console.log(require("fs").readdirSync("/recorder").join(" "))',
    ]);
    expect(listed.stdout).toBe('node_modules resp-proxy.cjs');
    const config = (image: string) => execa('docker', ['inspect', '-f', '{{json .Config.Entrypoint}} {{json .Config.Cmd}}', image]).then((r) => r.stdout);
    expect(await config(asked[0])).toBe(await config(base));
    expect((await execa('docker', ['ps', '-aq', '--filter', `label=labs.session=prepare-${process.pid}`])).stdout).toBe('');
    // Asked again, later: the image is there, nothing is made.
    expect(await recorderImage(new DockerRuntime(), base)).toBe(asked[0]);
  }, 120_000);
});
