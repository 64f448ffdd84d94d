#!/usr/bin/env node
import { main } from '../dist/runner/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit only once stdout has drained, so piped JSON is never cut short.
process.stdout.write('', () => process.exit(code));
