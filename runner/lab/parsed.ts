/** The result of reading one YAML value into its normalised form: validation reports the error, normalisation throws it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Parsed<T> => ({ ok: false, error });

/** For normalisation, which runs only on validated input: a failure here is a bug in validation. */
export function unwrap<T>(parsed: Parsed<T>, what: string): T {
  if (parsed.ok) return parsed.value;
  throw new Error(`labs: ${what} passed validation but cannot be read: ${parsed.error}`);
}
