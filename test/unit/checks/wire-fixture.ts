/** Wire logs for unit tests: the recorder's lines fed by hand, with consumer-1 at 10.0.0.5 and consumer-2 at 10.0.0.6. */
import { WireLog } from '../../../runner/checks/wire.js';

/** A value as the recorder writes it (base64). */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A wire log fed `lines` (the recorder's JSON records), with two runs registered since t = 0. */
export function log(lines: object[]): WireLog {
  const w = new WireLog();
  w.addRun({ name: 'consumer-1', address: '10.0.0.5', startedAt: 0, endedAt: undefined });
  w.addRun({ name: 'consumer-2', address: '10.0.0.6', startedAt: 0, endedAt: undefined });
  for (const l of lines) w.feed(JSON.stringify(l));
  return w;
}
