import { parseQueueUrl } from '../../batch/queue.js';
import { runWorker } from '../../batch/worker.js';
import { jobsFlag } from '../../batch/concurrency.js';
import { leftBehindLine } from '../../batch/left-behind.js';
import { type Context, writeLine } from '../context.js';

export async function workerCommand(
  ctx: Context,
  opts: { queue: string; jobs?: number; timeout?: number; lockSeconds?: number; connectSeconds?: number },
): Promise<number> {
  const connection = parseQueueUrl(opts.queue);
  const jobs = jobsFlag(opts.jobs);
  const { leftBehind } = await runWorker({
    runtime: await ctx.runtime(),
    connection,
    concurrency: jobs,
    timeoutMs: opts.timeout ? opts.timeout * 1000 : undefined,
    lockMs: opts.lockSeconds ? opts.lockSeconds * 1000 : undefined,
    connectTimeoutMs: opts.connectSeconds ? opts.connectSeconds * 1000 : undefined,
    signal: ctx.signal,
    onEvent: (event) => {
      if (event.type === 'ready')
        writeLine(
          ctx.stderr,
          `labs worker: grading jobs from ${connection.host}:${connection.port}, ${jobs} at a time (Ctrl-C: finish the current ones and stop)`,
        );
      else if (event.type === 'active') writeLine(ctx.stderr, `  … ${event.job.lab} ${event.job.student}`);
      else if (event.type === 'completed') writeLine(ctx.stderr, `  ${ctx.style.ok('✓')} ${event.job.lab} ${event.job.student}`);
      else if (event.type === 'left-behind')
        writeLine(
          ctx.stderr,
          `  ${ctx.style.warn('!')} a session's containers, networks or volumes could not all be removed: ${event.error} (no result changes)`,
        );
      else if (event.type === 'failed') {
        const next = event.retried ? 'it will be retried' : 'no attempt left: the coordinator records it as infra-error';
        writeLine(ctx.stderr, `  ${ctx.style.warn('!')} ${event.job.lab} ${event.job.student}: ${event.detail} (${next})`);
      }
    },
  });
  writeLine(ctx.stderr, 'labs worker: stopped');
  const line = leftBehindLine(leftBehind);
  if (line) writeLine(ctx.stderr, `  ${ctx.style.warn('!')} ${line}`);
  return 0;
}
