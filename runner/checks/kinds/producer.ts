/**
 * producer: the student's producer puts exactly the given arguments, as str, in order, and nothing
 * else. The queue is read back directly and every item decoded from its raw bytes.
 */
import type { z } from 'zod';
import { defineKind } from './kind.js';
import { producerSchema } from '../../lab/check-kinds.js';
import type { CheckContext } from '../context.js';
import { runProducer } from '../context.js';
import { crashLine, diagnoseRun } from '../diagnose.js';
import { type CheckOutcome, outcome } from '../outcome.js';
import { wireProfile } from '../wire.js';

export type ProducerSpec = z.infer<typeof producerSchema>;

/** Arguments a careless producer gets wrong: numeric-looking, spaced, non-ASCII, sign-led. */
const awkward = ['42', 'hello world', 'héllo wörld ☕', '007', '-3.5', '  spaced  '];

function producerArguments(ctx: CheckContext, count: number): string[] {
  const args = Array.from({ length: count }, (_, i) => (i % 2 === 1 && awkward[(i - 1) / 2] !== undefined ? awkward[(i - 1) / 2]! : ctx.tokens.next()));
  return args;
}

function producerFile(ctx: CheckContext): string {
  return ctx.lab.scripts.producer?.command.find((a) => /\.(py|js|cjs|mjs)$/.test(a)) ?? 'the producer';
}

export async function producerCheck(ctx: CheckContext, spec: ProducerSpec): Promise<CheckOutcome> {
  const args = producerArguments(ctx, spec.messages ?? 8);
  const mark = ctx.wire.commands.length;
  const { run, exit } = await runProducer(ctx, 'producer', args, { timeoutMs: spec.timeout_ms ?? ctx.scriptTimeoutMs });
  const items = (await ctx.probe.range(ctx.queue.db, ctx.queue.key)).map((raw) => ctx.codec.decode(raw));
  const file = producerFile(ctx);
  const expected = args.map((a) => JSON.stringify(a));
  const got = items.map((i) => (i.type === 'str' ? i.shown : `${i.shown} (${i.type})`));
  const exact = items.length === args.length && items.every((item, i) => item.type === 'str' && item.text === args[i]);
  const passed = exact && exit.code === 0;
  const show = (list: string[]): string => (list.length > 12 ? `${list.slice(0, 12).join(', ')}, … (${list.length})` : list.join(', ') || 'nothing');
  const summary = exact
    ? exit.code === 0
      ? `${args.length} arguments, ${args.length} items on ${ctx.queue.key} in db ${ctx.queue.db}: the same strings, in order`
      : `the queue is right, but ${file} ${exit.description}`
    : `${file} ${exit.description}; ${ctx.queue.key} in db ${ctx.queue.db} holds ${items.length} item(s) for ${args.length} argument(s)`;
  const details = exact ? [] : [`expected: ${show(expected)}`, `found:    ${show(got)}`];
  const diagnosis: string[] = [];
  if (!passed) {
    diagnosis.push(
      ...diagnoseRun(
        { file, exit, lines: run.lines, profile: wireProfile(ctx.wire, run.name, mark), expectedToRun: false, unanswered: run.unanswered() },
        { queue: ctx.queue, redisService: ctx.redis.service },
        ctx.phrasing,
      ),
    );
    if (exit.code === 0 || items.length)
      diagnosis.push(
        ...itemMistakes(
          args,
          items.map((i) => ({ type: i.type, text: i.text, shown: i.shown })),
          ctx.lab.runtime,
        ),
      );
    if (!items.length) {
      const elsewhere = (await ctx.probe.lists()).filter((l) => !(l.db === ctx.queue.db && l.key === ctx.queue.key));
      for (const l of elsewhere.slice(0, 2)) details.push(`found a list "${l.key}" in db ${l.db} with ${l.length} item(s)`);
    }
    const crash = crashLine(run.lines);
    if (crash && exit.code !== 0) details.push(`${file} said: ${crash}`);
  }
  return outcome(passed, summary, { details, diagnosis: [...new Set(diagnosis)], measurements: { items: items.length, expected: args.length } });
}

export function itemMistakes(
  args: string[],
  items: { type: string; text: string | undefined; shown: string }[],
  runtime: 'python' | 'node' = 'python',
): string[] {
  const found: string[] = [];
  const node = runtime === 'node';
  const texts = items.map((i) => i.text);
  if (items.length === 1 && items[0]!.type === 'list')
    found.push(
      node
        ? 'it pushed the whole argument list as one message: push each argument on its own (one RPUSH of JSON.stringify(arg) each)'
        : 'it put the whole argument list as one message: put each argument on its own (for msg in sys.argv[1:]: q.put(msg))',
    );
  if (items.some((i) => i.type === 'bytes'))
    found.push(node ? 'it pushed raw strings, not JSON: push JSON.stringify(arg)' : 'it put bytes, not str: put the argument itself, without .encode()');
  if (items.some((i) => i.type === 'int' || i.type === 'float'))
    found.push(`it converted arguments to numbers: "42" must stay the string "42"${node ? ' (JSON.stringify("42") is \'"42"\')' : ''}`);
  if (items.length === args.length && args.every((a, i) => texts[args.length - 1 - i] === a) && args.length > 1) {
    found.push(
      node
        ? 'it pushed the arguments in reverse order (LPUSH puts each at the head): RPUSH each one in the order given'
        : 'it put the arguments in reverse order (LPUSH, or a reversed loop): q.put() each one in the order given',
    );
  }
  const expected = new Set(args);
  const extra = items.filter((i) => i.text === undefined || !expected.has(i.text));
  if (items.length > args.length && extra.length) {
    const first = extra[0]!;
    found.push(
      /\.(py|js)"?$/.test(first.shown)
        ? `it also put the script's own name (${first.shown}): use ${node ? 'process.argv.slice(2)' : 'sys.argv[1:], not sys.argv'}`
        : `it put a message of its own (${first.shown}): put exactly the arguments, nothing else`,
    );
  }
  if (!found.length && items.length && items.length < args.length)
    found.push(`only ${items.length} of the ${args.length} arguments arrived: put every one of them`);
  return found;
}

export const producer = defineKind({ kind: 'producer', schema: producerSchema, judgedFromWire: false, hosts: () => ({ producer: 1 }), run: producerCheck });
