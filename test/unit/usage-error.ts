/** For tests of what is refused as a usage error (exit 2). */
import { expect } from 'vitest';
import { LabsError } from '../../runner/errors.js';

/** The LabsError `promise` rejects with, asserting its code is USAGE. */
export async function usageError(promise: Promise<unknown>): Promise<LabsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LabsError);
  expect((error as LabsError).code).toBe('USAGE');
  return error as LabsError;
}
