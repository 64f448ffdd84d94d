/**
 * Images a test makes for itself from a local base (no registry needed) and removes afterwards,
 * named per run so that tests running at the same time never share one.
 */
import { execa } from 'execa';

/** Builds `dockerfile` (no build context) as labs-test/<name>:<run>; returns the tag. */
export async function buildTestImage(name: string, dockerfile: string): Promise<string> {
  const tag = `labs-test/${name}:${process.pid}-${Date.now().toString(36)}`;
  await execa('docker', ['build', '-q', '-t', tag, '-'], { input: dockerfile });
  return tag;
}

/** Removes the images (tags or ids); missing ones are not an error. */
export async function removeImages(...images: string[]): Promise<void> {
  if (images.length) await execa('docker', ['rmi', '-f', ...images], { reject: false });
}

/**
 * python:3.10 with a fake redis-py 8.1.0: a dist-info whose METADATA alone is what version probes
 * read (importlib.metadata takes the first on sys.path, and site-packages comes first).
 */
export const fakeRedisPy8 = [
  'FROM python:3.10',
  'RUN d=$(python3 -c "import site; print(site.getsitepackages()[0])") && mkdir -p "$d/redis-8.1.0.dist-info" && ' +
    `printf 'Metadata-Version: 2.1\\nName: redis\\nVersion: 8.1.0\\n' > "$d/redis-8.1.0.dist-info/METADATA"`,
  '',
].join('\n');
