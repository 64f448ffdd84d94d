/**
 * The HTML report in a real browser: headless Chromium renders a class of ~40 synthetic results to a
 * screenshot and to its DOM. Needs /usr/bin/chromium (Debian: `apt-get install -y chromium`), or
 * CHROMIUM=path. LABS_REPORT_SCREENSHOT=file keeps a copy of the screenshot to look at.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../runner/report/html.js';
import { hostileName, makeLab, syntheticClass } from '../unit/report/batch-fixture.js';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const lab = makeLab();
const results = syntheticClass(lab);

let dir: string;
let page: string;

/** A fresh profile per run: no first-run UI, no network chatter, nothing left from an earlier run. */
async function runChromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(dir, 'profile-'));
  const { stdout } = await execa(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
      pathToFileURL(page).href,
    ],
    { timeout: 90_000, stdin: 'ignore' },
  );
  return stdout;
}

describe('report.html in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(chromium)) throw new Error(`${chromium} is missing: install it with \`apt-get install -y chromium\` (Debian), or set CHROMIUM`);
    dir = await mkdtemp(join(tmpdir(), 'labs-report-'));
    page = join(dir, 'report.html');
    await writeFile(
      page,
      reportHtml(lab, results, { generatedAt: '2025-05-01T22:10:00.000Z', toolVersion: '0.1.0', seedNote: 'a random seed per submission (in each feedback)' }),
    );
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders to a screenshot', async () => {
    const png = join(dir, 'report.png');
    await runChromium([`--screenshot=${png}`, '--window-size=1280,2400']);
    const { size } = await stat(png);
    // A blank 1280×2400 page compresses to a few kilobytes; this one has text, tables and a chart.
    expect(size).toBeGreaterThan(100_000);
    if (process.env.LABS_REPORT_SCREENSHOT) await copyFile(png, process.env.LABS_REPORT_SCREENSHOT);
  });

  it('the DOM has the histogram, one details per student, and no element from the hostile name', async () => {
    const dom = await runChromium(['--dump-dom']);
    expect(dom).toMatch(/<svg class="histogram"[^>]*role="img"/);
    expect(dom.match(/<rect class="fill"/g)?.length).toBeGreaterThan(2);
    expect(dom.match(/<details\b/g)).toHaveLength(results.length);
    expect(dom).not.toMatch(/<script/i);
    expect(dom).not.toMatch(/<img/i);
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(dom).not.toContain(hostileName);
    // The hostile summary stayed inside its details: the body still holds all the students after it.
    expect(dom).toContain('printed &lt;/details&gt;&lt;script&gt;alert("x")&lt;/script&gt; &amp; more');
  });
});
