import { describe, expect, it } from 'vitest';
import { findLab } from '../../../runner/lab/registry.js';
import { hostsNeeded } from '../../../runner/session/check.js';

describe('hostsNeeded: containers started ahead for the scripts, one per replica running at once', () => {
  it('exercise-2: one for the producer in python1, two for the two consumer replicas in python2', async () => {
    const lab = await findLab('exercise-2');
    expect(hostsNeeded(lab, lab.checks)).toEqual({ python1: 1, python2: 2 });
  });

  it('exercise-1: producer and consumer share one service, and never run at once there', async () => {
    const lab = await findLab('exercise-1');
    expect(hostsNeeded(lab, lab.checks)).toEqual({ python: 1 });
  });

  it('only the checks asked for count: the producer check alone needs only the producer', async () => {
    const lab = await findLab('exercise-2');
    expect(hostsNeeded(lab, lab.checks.filter((c) => c.kind === 'producer'))).toEqual({ python1: 1 });
    expect(hostsNeeded(lab, lab.checks.filter((c) => c.kind === 'persistence'))).toEqual({});
  });
});
