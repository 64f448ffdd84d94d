import { describe, expect, it } from 'vitest';
import { shownDir } from '../../../runner/cli/commands/start.js';

describe('labs start names the workspace as the user types it', () => {
  it('the folder they are in is ".", not "./." (which printed "cd ./." as a next step)', () => {
    expect(shownDir('/home/ada/work', '/home/ada/work')).toBe('.');
  });

  it('a folder below is ./name; one elsewhere its absolute path', () => {
    expect(shownDir('/home/ada', '/home/ada/exercise-2')).toBe('./exercise-2');
    expect(shownDir('/home/ada/work', '/tmp/exercise-2')).toBe('/tmp/exercise-2');
  });
});
