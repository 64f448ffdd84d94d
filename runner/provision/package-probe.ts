/**
 * What an image has of a lab's packages: a POSIX sh script run in the image prints, for each
 * package, the installed version (Python's importlib.metadata; node's module lookup paths) and, for
 * a pip requirement, whether that version satisfies its PEP 440 specifier, judged in the image by
 * the `packaging` that pip vendors (or a standalone one), the code pip itself decides with. npm
 * ranges are judged here with npm's own `semver` (official node images have it inside npm; the
 * stand-ins have no npm). The script and the reading of its output are separate so the reading can
 * be tested without an image.
 */
import { unwrap } from '../lab/parsed.js';
import { npmSatisfies, parseNpmSpec, parsePipRequirement } from '../lab/package-specs.js';
import { shellQuote } from './shell-quote.js';

export interface Packages {
  /** pip requirements as written in the lab, e.g. "redis>=4.2,<8". */
  pip: string[];
  /** npm specs as written in the lab, e.g. "ioredis@^5". */
  npm: string[];
}

/**
 * One package as the probe found it. `unknown`: the image could not say whether the installed
 * version satisfies the specifier (no `packaging` to evaluate it, a version it cannot read): an
 * infrastructure problem, never a silent yes.
 */
export interface ProbedPackage {
  manager: 'pip' | 'npm';
  /** The entry as the lab wrote it ("redis>=4.2,<8"); what is installed when it is not satisfied. */
  entry: string;
  name: string;
  /** The installed version as the package's metadata gives it; undefined when not installed. */
  installed: string | undefined;
  state: 'satisfied' | 'missing' | 'unsatisfied' | 'unknown';
  /** For `unknown`: what the image said. */
  reason?: string;
}

const marker = 'labs-probe';

/**
 * Python 3.8+ (importlib.metadata). Prints `labs-probe\tpip\tNAME\tVERSION\tSTATE[\tREASON]` per
 * (name, specifier) pair of argv. `prereleases=True` as pip does for an installed version: a
 * pre-release already there satisfies a specifier it falls in.
 */
const pythonProbe = `
import sys
from importlib import metadata
SpecifierSet = None
for module in ("pip._vendor.packaging.specifiers", "packaging.specifiers"):
    try:
        SpecifierSet = __import__(module, fromlist=["SpecifierSet"]).SpecifierSet
        break
    except Exception:
        pass
args = sys.argv[1:]
for name, spec in zip(args[0::2], args[1::2]):
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        print("${marker}\\tpip\\t%s\\t\\tmissing" % name)
        continue
    if not spec:
        state = "satisfied"
    elif SpecifierSet is None:
        state = "unknown\\tneither pip nor packaging can be imported by python3"
    else:
        try:
            state = "satisfied" if SpecifierSet(spec).contains(version, prereleases=True) else "unsatisfied"
        except Exception as error:
            state = "unknown\\t%s: %s" % (type(error).__name__, str(error).replace("\\t", " ").replace("\\n", " "))
    print("${marker}\\tpip\\t%s\\t%s\\t%s" % (name, version, state))
`.trim();

/**
 * Prints \`labs-probe\\tnpm\\tNAME\\tVERSION\` per name of argv (VERSION empty when absent), reading the
 * package.json in each folder require() would search: a package whose "exports" hides its
 * package.json is still found.
 */
const nodeProbe = [
  'const fs = require("fs"), path = require("path");',
  'for (const name of process.argv.slice(1)) {',
  '  let version = "";',
  '  for (const dir of require.resolve.paths(name) || []) {',
  '    try { version = String(JSON.parse(fs.readFileSync(path.join(dir, name, "package.json"), "utf8")).version || "?"); break; } catch (e) {}',
  '  }',
  `  console.log(["${marker}", "npm", name, version].join("\\t"));`,
  '}',
].join('\n');

/**
 * The probe for `packages` (entries already validated): POSIX sh, python3 for pip entries and node
 * for npm entries. An image without the interpreter reports every entry of that kind missing, and
 * the install then fails with the shell's own words.
 */
export function packageProbeScript(packages: Packages): string {
  const lines: string[] = [];
  if (packages.pip.length) {
    const args = packages.pip.flatMap((entry) => {
      const { name, specifier } = unwrap(parsePipRequirement(entry), `pip requirement ${entry}`);
      return [name, specifier];
    });
    lines.push(
      `if command -v python3 >/dev/null 2>&1; then python3 -c ${shellQuote(pythonProbe)} ${args.map(shellQuote).join(' ')}; ` +
        `else printf '${marker}\\tno-python3\\n'; fi`,
    );
  }
  if (packages.npm.length) {
    const names = packages.npm.map((entry) => unwrap(parseNpmSpec(entry), `npm spec ${entry}`).name);
    // Official node images install global modules in /usr/local/lib/node_modules without setting NODE_PATH.
    lines.push(
      `if command -v node >/dev/null 2>&1; then NODE_PATH="\${NODE_PATH:-/usr/local/lib/node_modules}" node -e ${shellQuote(nodeProbe)} ${names.map(shellQuote).join(' ')}; ` +
        `else printf '${marker}\\tno-node\\n'; fi`,
    );
  }
  return lines.join('\n');
}

/**
 * Each entry of `packages` with what the probe's `output` says of it, in the lab's order. An entry
 * the probe said nothing about (its interpreter present) is `unknown`: the probe itself failed.
 */
export function readProbe(output: string, packages: Packages): ProbedPackage[] {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/\r$/, '').split('\t'))
    .filter((fields) => fields[0] === marker);
  /** The probe's line for a package, or what its silence means: no interpreter (missing) or a failed probe. */
  const found = (manager: 'pip' | 'npm', entry: string, name: string): { fields: string[] } | ProbedPackage => {
    const fields = lines.find((f) => f[1] === manager && f[2] === name);
    if (fields !== undefined) return { fields };
    const noInterpreter = lines.some((f) => f[1] === (manager === 'pip' ? 'no-python3' : 'no-node'));
    return noInterpreter
      ? { manager, entry, name, installed: undefined, state: 'missing' }
      : { manager, entry, name, installed: undefined, state: 'unknown', reason: 'the probe printed nothing about it' };
  };

  const pip = packages.pip.map((entry): ProbedPackage => {
    const { name } = unwrap(parsePipRequirement(entry), `pip requirement ${entry}`);
    const probe = found('pip', entry, name);
    if (!('fields' in probe)) return probe;
    const [, , , version, state, reason] = probe.fields;
    const installed = version || undefined;
    if (state === 'satisfied' || state === 'unsatisfied' || state === 'missing') return { manager: 'pip', entry, name, installed, state };
    return { manager: 'pip', entry, name, installed, state: 'unknown', reason: reason ?? `the probe answered ${JSON.stringify(state)}` };
  });

  const npm = packages.npm.map((entry): ProbedPackage => {
    const { name, range } = unwrap(parseNpmSpec(entry), `npm spec ${entry}`);
    const probe = found('npm', entry, name);
    if (!('fields' in probe)) return probe;
    const installed = probe.fields[3] || undefined;
    if (installed === undefined) return { manager: 'npm', entry, name, installed, state: 'missing' };
    return { manager: 'npm', entry, name, installed, state: npmSatisfies(installed, range) ? 'satisfied' : 'unsatisfied' };
  });
  return [...pip, ...npm];
}

/** The entries to install: those missing or whose installed version does not satisfy them. */
export function toInstall(probed: readonly ProbedPackage[]): Packages {
  const needed = probed.filter((p) => p.state === 'missing' || p.state === 'unsatisfied');
  return {
    pip: needed.filter((p) => p.manager === 'pip').map((p) => p.entry),
    npm: needed.filter((p) => p.manager === 'npm').map((p) => p.entry),
  };
}
