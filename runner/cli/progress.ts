/**
 * Renders provisioning events: a live line per pulled image on a terminal, plain lines otherwise
 * (a CI log or a pipe should not fill with carriage returns).
 */
import type { ProvisionEvent } from '../provision/environment.js';
import type { ProbedPackage } from '../provision/images.js';
import type { Context } from './context.js';
import { writeLine } from './context.js';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** "hotqueue 0.2.8, redis 4.3.4, ioredis not installed": what an image has of each package. */
export function versions(probed: readonly ProbedPackage[]): string {
  return probed.map((p) => `${p.name} ${p.installed ?? 'not installed'}`).join(', ');
}

/** ", which has redis 8.1.0" for installed packages whose version the lab's pin does not accept. */
function replacing(probed: readonly ProbedPackage[]): string {
  const outdated = probed.filter((p) => p.state === 'unsatisfied');
  return outdated.length ? `, which has ${versions(outdated)}` : '';
}

export function provisionReporter(ctx: Context): (event: ProvisionEvent) => void {
  const live = Boolean(ctx.stderr.isTTY);
  const layers = new Map<string, Map<string, { current: number; total: number }>>();
  const announced = new Set<string>();
  const nothingToInstall = new Set<string>();
  return (event) => {
    const out = ctx.stderr;
    switch (event.type) {
      case 'pull': {
        const perImage = layers.get(event.image) ?? new Map();
        layers.set(event.image, perImage);
        if (event.progress.id && event.progress.total) {
          perImage.set(event.progress.id, { current: event.progress.current ?? 0, total: event.progress.total });
        }
        let current = 0;
        let total = 0;
        for (const l of perImage.values()) {
          current += l.current;
          total += l.total;
        }
        if (live) out.write(`\r  pulling ${event.image}: ${total ? `${mb(current)} / ${mb(total)}` : event.progress.status}\u001b[K`);
        else if (!announced.has(event.image)) {
          announced.add(event.image);
          writeLine(out, `  pulling ${event.image} …`);
        }
        break;
      }
      case 'pulled':
        if (live) out.write('\r\u001b[K');
        writeLine(out, `  ${ctx.style.ok('✓')} pulled ${event.image}`);
        break;
      case 'prepare':
        if (!event.missing.length) nothingToInstall.add(event.image);
        writeLine(
          out,
          event.missing.length
            ? `  installing ${event.missing.join(', ')} into ${event.image}${replacing(event.probed)} (once; later starts reuse it) …`
            : `  ${event.image} already has the lab's packages (${versions(event.probed)})`,
        );
        break;
      case 'prepared':
        if (nothingToInstall.has(event.image)) break;
        writeLine(out, `  ${ctx.style.ok('✓')} prepared ${event.image} as ${event.tag} in ${(event.ms / 1000).toFixed(1)} s`);
        break;
      case 'data-dir':
        writeLine(out, `  ${ctx.style.ok('✓')} ${event.path} made writable for user ${event.owner}`);
        break;
      case 'container':
        if (event.action === 'reused') writeLine(out, `  ${ctx.style.ok('✓')} ${event.service} already running`);
        break;
      case 'ready':
        writeLine(out, `  ${ctx.style.ok('✓')} ${event.service} ready${event.ms > 0 ? ` in ${event.ms} ms` : ''}`);
        break;
      case 'exited':
        writeLine(out, `  ${ctx.style.warn('!')} ${event.service} exited while starting (code ${event.exitCode}): see below`);
        break;
      case 'build':
        writeLine(out, ctx.style.dim(`  ${event.service} | ${event.line}`));
        break;
      case 'built':
        writeLine(out, `  ${ctx.style.ok('✓')} built ${event.service} as ${event.image} in ${(event.ms / 1000).toFixed(1)} s`);
        break;
      case 'note':
        writeLine(out, `  note: ${event.text}`);
        break;
      case 'network':
        break;
    }
  };
}
