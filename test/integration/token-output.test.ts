/**
 * The grader's tokens as a real Python in a lab's script container prints them, read back the way
 * the checks read output (supervisor, line splitting, UTF-8): the message itself is found however
 * it is printed, with text around it; what only holds it is not (the repr of its pickle at
 * protocols 0 to 5, of the (key, bytes) BLPOP returns, of its JSON bytes, json.dumps's \u escapes).
 * The pickles that Python wrote at every protocol decode back to the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickleCodec } from '../../runner/checks/codec.js';
import { seededRandom, tokenSource } from '../../runner/checks/tokens.js';
import type { IsolatedEnvironment } from '../../runner/provision/isolated.js';
import { ScriptHosts } from '../../runner/run/hosts.js';
import { type ScriptRun, startScript } from '../../runner/run/script.js';
import { exercise1Environment, removeEnvironment } from '../helpers/isolated.js';

const forms = [
  'import json, logging, pickle, sys',
  'logging.basicConfig(level=logging.INFO)',
  'print("encoding", sys.stdout.encoding)',
  'for i, token in enumerate(sys.argv[1:]):',
  '    print("%d:str|%s" % (i, token))',
  '    print("%d:received|" % i, "Received:", token)',
  '    print(f"{i}:fstring|got {token}")',
  '    logging.info(token)',
  '    print("%d:list|" % i, [token])',
  '    print("%d:tuple|" % i, (token,))',
  '    print("%d:json-unescaped|" % i, json.dumps(token, ensure_ascii=False))',
  '    print("%d:json|" % i, json.dumps(token))',
  '    print("%d:json-bytes|" % i, json.dumps(token).encode(), json.dumps(token, ensure_ascii=False).encode())',
  '    print("%d:utf8-bytes|" % i, token.encode())',
  '    for p in range(6):',
  '        raw = pickle.dumps(token, protocol=p)',
  '        print("%d:pickle|" % i, raw)',
  '        print("%d:blpop-tuple|" % i, (b"hotqueue:queue", raw))',
  '        print("%d:blpop-list|" % i, [b"hotqueue:queue", raw])',
  '        print("%d:hex%d|%s" % (i, p, raw.hex()))',
].join('\n');

const found = new Set(['str', 'received', 'fstring', 'list', 'tuple', 'json-unescaped']);
const notFound = new Set(['json', 'json-bytes', 'utf8-bytes', 'pickle', 'blpop-tuple', 'blpop-list']);

let env: IsolatedEnvironment;
let hosts: ScriptHosts;
const session = `tokout${Date.now().toString(36)}`;

beforeAll(async () => {
  env = await exercise1Environment(session, [{ path: 'forms.py', data: Buffer.from(forms) }]);
  hosts = new ScriptHosts(env);
}, 120_000);

afterAll(async () => {
  await removeEnvironment(session);
});

describe('the grader’s tokens printed by a real Python in a lab container', () => {
  // Forked from the supervisor (python -u, as the labs run consumers) and a fresh interpreter (-s).
  for (const option of ['-u', '-s']) {
    it(`are found in the message printed, never in bytes that hold it (python ${option})`, async () => {
      const tokens = tokenSource(seededRandom(20240501));
      const sent = Array.from({ length: 6 }, () => tokens.next());
      const run: ScriptRun = await startScript({
        hosts,
        service: 'python',
        argv: ['python', option, 'forms.py', ...sent],
        name: `forms${option}`,
        timeoutMs: 30_000,
      });
      expect(await run.exited).toMatchObject({ code: 0 });
      const stdout = run.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
      expect(stdout[0]).toBe('encoding utf-8');
      const seen = new Set<string>();
      for (const text of stdout.slice(1)) {
        const [, index, form, rest] = /^(\d+):([\w-]+?)(\d?)\|/.exec(text) ?? [];
        expect(index, text).toBeDefined();
        const token = sent[Number(index)]!;
        seen.add(form!);
        if (form === 'hex') {
          const hex = text.slice(text.indexOf('|') + 1);
          expect(pickleCodec.decode(Buffer.from(hex, 'hex')), `protocol ${rest}: ${hex}`).toMatchObject({ type: 'str', text: token });
        } else if (found.has(form!)) {
          expect(tokens.find(text), text).toEqual([token]);
        } else {
          expect(notFound.has(form!), form).toBe(true);
          expect(tokens.find(text), text).toEqual([]);
        }
      }
      expect([...seen].sort()).toEqual([...found, ...notFound, 'hex'].sort());
      // The logging module's default handler: stderr, "LEVEL:logger:message".
      const logged = run.lines.filter((l) => l.stream === 'stderr').map((l) => l.text);
      expect(logged).toEqual(sent.map((t) => `INFO:root:${t}`));
      expect(logged.map((line) => tokens.find(line))).toEqual(sent.map((t) => [t]));
    });
  }
});
