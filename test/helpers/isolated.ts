/** An isolated check environment of exercise-1 for integration tests, and its removal. */
import { findLab } from '../../runner/lab/registry.js';
import { resolveServices } from '../../runner/lab/compose.js';
import type { ArchiveEntry } from '../../runner/provision/archive.js';
import { DockerRuntime } from '../../runner/provision/docker.js';
import { type IsolatedEnvironment, confinement, provisionIsolated } from '../../runner/provision/isolated.js';
import { currentOwner } from '../../runner/provision/labels.js';
import { removeSession } from '../../runner/provision/teardown.js';
import { removeHostRules } from '../../runner/provision/firewall.js';

export const runtime = new DockerRuntime();

export async function exercise1Environment(session: string, files: ArchiveEntry[] = []): Promise<IsolatedEnvironment> {
  const lab = await findLab('exercise-1');
  return provisionIsolated({
    runtime,
    lab,
    services: await resolveServices(lab, lab.templatesDir),
    identity: { lab: lab.id, session, mode: 'check', owner: currentOwner() },
    files,
    confine: confinement,
    recorderImage: 'node:20',
  });
}

export async function removeEnvironment(session: string): Promise<void> {
  await removeSession(runtime, session);
  await removeHostRules((s) => s === session);
}
