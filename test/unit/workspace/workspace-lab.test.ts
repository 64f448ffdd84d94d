import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newLab } from '../../../runner/lab/new-lab.js';
import { findWorkspace, writeWorkspaceInfo } from '../../../runner/workspace/state.js';
import { workspaceLab } from '../../../runner/workspace/workspace.js';
import { caught, tempRoot } from '../lab/fixture.js';

describe('the lab of a workspace', () => {
  it('a course’s own lab is found from a workspace outside the course’s folder, by the folder it recorded', async () => {
    const course = await tempRoot();
    const lab = await newLab({ id: 'queue-basics', courseDir: course });
    const elsewhere = await tempRoot();
    await writeWorkspaceInfo(elsewhere, { lab: 'queue-basics', labDir: lab.labDir, createdAt: '', labsVersion: '' });
    expect((await workspaceLab(await findWorkspace({ cwd: elsewhere }))).dir).toBe(join(course, 'labs', 'queue-basics'));
    // Without the record, the id alone is unknown there.
    await writeWorkspaceInfo(elsewhere, { lab: 'queue-basics', createdAt: '', labsVersion: '' });
    expect((await caught(workspaceLab(await findWorkspace({ cwd: elsewhere })))).code).toBe('LAB_UNKNOWN');
  });
});
