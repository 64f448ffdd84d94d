/**
 * The recorder's image: a base image with Node.js, and the recorder's files baked in. It is made once
 * per machine and kept under a hash of the base image and the files, so that a session starts its
 * recorder without copying anything into it: each copy into a container costs the engine a helper
 * process, and a batch starts a recorder per submission.
 */
import { createHash } from 'node:crypto';
import { describeEndpoint } from '../connect.js';
import type { ContainerRuntime } from '../runtime.js';
import { type ImageEvent, ensureImage, prepareLabels } from '../images.js';
import { Label } from '../labels.js';
import { tarArchive } from '../archive.js';
import { recorderFiles } from './files.js';

export const recorderRepo = 'labs-recorder';
/** Where the files are in the image. */
export const recorderDir = '/recorder';

/** Per engine and base image: the sessions of a batch that start together make it once. */
const making = new Map<string, Promise<string>>();

/** The recorder image made from `base`; made now if this machine does not have it yet. */
export function recorderImage(runtime: ContainerRuntime, base: string, onEvent?: (e: ImageEvent) => void): Promise<string> {
  const key = `${describeEndpoint(runtime.endpoint)} ${base}`;
  let image = making.get(key);
  if (!image) {
    image = make(runtime, base, onEvent);
    making.set(key, image);
    // A failure is not kept: the next session tries again.
    image.catch(() => making.delete(key));
  }
  return image;
}

async function make(runtime: ContainerRuntime, base: string, onEvent?: (e: ImageEvent) => void): Promise<string> {
  const baseId = await ensureImage(runtime, base, onEvent);
  const files = await recorderFiles();
  const hash = createHash('sha256').update(baseId);
  for (const f of files) hash.update(`\0${f.path}\0${f.data.length}\0`).update(f.data);
  const tag = hash.digest('hex').slice(0, 16);
  const name = `${recorderRepo}:${tag}`;
  if (await runtime.imageId(name)) return name;
  const id = await runtime.createContainer({
    name: `labs-recorder-image-${process.pid}-${Date.now().toString(36)}`,
    // Never started; created with the base image's own entrypoint and command, which the commit keeps.
    image: base,
    labels: prepareLabels(),
    network: 'none',
  });
  try {
    await runtime.putArchive(id, '/', await tarArchive(files.map((f) => ({ ...f, path: `${recorderDir.slice(1)}/${f.path}` }))));
    await runtime.commit(id, recorderRepo, tag, [`LABEL ${JSON.stringify(Label.role)}="recorder" "labs.recorder.from"=${JSON.stringify(base)}`]);
  } finally {
    await runtime.removeContainer(id);
  }
  return name;
}
