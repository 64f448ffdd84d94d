import { describe, expect, it } from 'vitest';
import { parseOwner, resourceName, sessionLabels } from '../../../runner/provision/labels.js';
import { isLive, type SessionInfo } from '../../../runner/provision/teardown.js';

const session = (over: Partial<SessionInfo>): SessionInfo => ({
  session: 'abc',
  lab: 'exercise-1',
  mode: 'check',
  owner: 'host-a:100',
  workspace: undefined,
  ...over,
});

describe('session ownership', () => {
  it('labels every resource with lab, session, mode, owner and workspace', () => {
    expect(sessionLabels({ lab: 'exercise-2', session: 's1', mode: 'workspace', owner: 'h:1', workspace: '/w' }, { 'labs.service': 'redis-db' })).toEqual({
      'labs.lab': 'exercise-2',
      'labs.session': 's1',
      'labs.mode': 'workspace',
      'labs.owner': 'h:1',
      'labs.workspace': '/w',
      'labs.service': 'redis-db',
    });
    expect(resourceName({ lab: 'exercise-2', session: 's1' }, 'python1')).toBe('labs-exercise-2-s1-python1');
  });

  it('parses host:pid owners, host names with colons included', () => {
    expect(parseOwner('my-laptop:4242')).toEqual({ host: 'my-laptop', pid: 4242 });
    expect(parseOwner('fe80::1:77')).toEqual({ host: 'fe80::1', pid: 77 });
    expect(parseOwner('nonsense')).toBeUndefined();
  });

  it('a session whose owner process runs is live; a dead owner makes it prunable', () => {
    expect(isLive(session({}), { host: 'host-a', isAlive: () => true })).toBe(true);
    expect(isLive(session({}), { host: 'host-a', isAlive: () => false })).toBe(false);
  });

  it('a started workspace stays live after `labs start` exits, while its workspace names it as ready', () => {
    const ws = session({ mode: 'workspace', workspace: '/home/s/exercise-1' });
    expect(isLive(ws, { host: 'host-a', isAlive: () => false, workspaceSession: () => 'abc' })).toBe(true);
    expect(isLive(ws, { host: 'host-a', isAlive: () => false, workspaceSession: () => undefined })).toBe(false);
    expect(isLive(ws, { host: 'host-a', isAlive: () => false, workspaceSession: () => 'other' })).toBe(false);
  });

  it('never judges a session owned by another host', () => {
    expect(isLive(session({ owner: 'worker-7:1' }), { host: 'host-a', isAlive: () => false })).toBe(true);
  });
});
