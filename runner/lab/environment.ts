/** `environment:` as a map or a KEY=VALUE list, to the one shape Docker takes. */

export type EnvironmentInput = Record<string, string | number | boolean | null> | readonly string[];

/**
 * Values become strings (`DEBUG: true` → "true"); an empty value (`KEY:` or `- KEY`) becomes "".
 * Unlike compose, `- KEY` does not copy the grader's own environment: a run must not depend on the
 * shell it was started from.
 */
export function toEnvironment(input: EnvironmentInput | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (input === undefined) return env;
  if (isList(input)) {
    for (const entry of input) {
      const eq = entry.indexOf('=');
      if (eq === -1) env[entry] = '';
      else env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  }
  for (const [key, value] of Object.entries(input)) env[key] = value === null ? '' : String(value);
  return env;
}

function isList(input: EnvironmentInput): input is readonly string[] {
  return Array.isArray(input);
}
