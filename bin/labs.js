#!/usr/bin/env node
import module from 'node:module';

// On Node.js 22.1 and later, the code of labs and its dependencies is compiled once and kept in the
// system's temporary folder (NODE_COMPILE_CACHE=dir moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it
// off), so that later runs start faster; it never throws. Node 20 has no such cache: a no-op there.
module.enableCompileCache?.();
// Imported only now: a static import would be loaded before the cache is on.
const { main } = await import('../dist/runner/cli/main.js');

const code = await main(process.argv.slice(2));
// Exit only once stdout has drained, so piped JSON is never cut short.
process.stdout.write('', () => process.exit(code));
