/** `volumes:` entries ("./data:/data", "cache:/root/.cache:ro") to mounts. */
import { posix } from 'node:path';
import type { Mount } from './types.js';
import { fail, ok, type Parsed } from './parsed.js';

/** A source that looks like a path is a bind mount, as in compose; anything else names a volume. */
function isPathSource(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

export function parseVolume(spec: string): Parsed<Mount> {
  const parts = spec.split(':');
  const [source, target, mode, ...extra] = parts;
  if (source === undefined || target === undefined || source === '' || target === '' || extra.length > 0) {
    return fail(`${JSON.stringify(spec)}: write SOURCE:TARGET or SOURCE:TARGET:ro`);
  }
  if (!posix.isAbsolute(target)) return fail(`${JSON.stringify(spec)}: the target ${JSON.stringify(target)} must be an absolute path in the container`);
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    return fail(`${JSON.stringify(spec)}: the mode ${JSON.stringify(mode)} is not supported; use ro or rw`);
  }
  const readOnly = mode === 'ro';
  if (isPathSource(source)) return ok({ kind: 'bind', source, target, readOnly });
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) {
    return fail(`${JSON.stringify(spec)}: ${JSON.stringify(source)} is neither a path (start it with ./ or /) nor a volume name`);
  }
  return ok({ kind: 'volume', name: source, target, readOnly });
}
