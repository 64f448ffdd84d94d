import { describe, expect, it } from 'vitest';
import { escapeHtml, reportHtml } from '../../../runner/report/html.js';
import { graded, hostileName, makeLab, notGraded, syntheticClass } from './batch-fixture.js';

const lab = makeLab();
const meta = { generatedAt: '2025-05-01T22:10:00.000Z', toolVersion: '0.1.0', seedNote: 'a random seed per submission' };

/** Text between an opening tag with this class and the next tag. */
function texts(html: string, cls: string): string[] {
  return [...html.matchAll(new RegExp(`class="${cls}"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]!);
}

describe('escapeHtml', () => {
  it('escapes & < > " \' and drops control characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001bc\td\ne')).toBe('abc\td\ne');
    expect(escapeHtml('plain – ✓ text')).toBe('plain – ✓ text');
  });
});

describe('reportHtml', () => {
  const results = syntheticClass(lab);
  const html = reportHtml(lab, results, meta);

  it('is one self-contained document: no script, no external URL, a CSP that forbids scripts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b|@import|url\(|src="http/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    // The only http URL is the SVG namespace, which is an identifier, not a fetch.
    expect(html.match(/https?:\/\/[^"\s<]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('escapes a hostile student name and a hostile summary everywhere', () => {
    expect(html).not.toContain(hostileName);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('</details><script>');
    expect(html).toContain('printed &lt;/details&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('last: &quot;&lt;b&gt;bold&lt;/b&gt;&quot;');
    // Every <details> opened is closed: the summary did not end one early.
    expect(html.match(/<details\b/g)!.length).toBe(html.match(/<\/details>/g)!.length);
  });

  it('header: lab title, counts by status, mean and median of graded scores', () => {
    const small = reportHtml(
      lab,
      [graded('a'), graded('b', ['delivery']), graded('c', ['delivery', 'blocking']), notGraded('d', 'infra-error', 'x'), notGraded('e', 'timeout', 'y')],
      meta,
    );
    expect(small).toContain('<h1>The consume method</h1>');
    expect(small).toContain('a random seed per submission');
    const stat = (label: string): string =>
      small.match(new RegExp(`<div class="stat-value">((?:(?!stat-value)[^])*?)</div><div class="stat-label">${label}</div>`))![1]!;
    expect([stat('submissions'), stat('graded'), stat('infra-error'), stat('timeout')]).toEqual(['5', '3', '1', '1']);
    expect(stat('mean score')).toBe('6.67<small> / 10</small>');
    expect(stat('median score')).toBe('6<small> / 10</small>');
  });

  it('histogram: an accessible SVG with a bar per bin 0..max and its count', () => {
    const small = reportHtml(lab, [graded('a'), graded('b'), graded('c', ['delivery']), notGraded('d', 'timeout', 'y')], meta);
    expect(small).toMatch(/<svg class="histogram"[^>]*role="img" aria-labelledby="hist-title hist-desc"/);
    expect(small).toContain('<title id="hist-title">Score distribution: 3 graded submissions, 0 to 10 points</title>');
    expect(texts(small, 'xlabel')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(texts(small, 'count')).toEqual(['1', '2']);
    expect(small).toContain('<title>2 submissions scored 10 points</title>');
    expect(small).toContain('<title>1 submission scored 6 points</title>');
    expect(small).toContain('<title>0 submissions scored 0 points</title>');
  });

  it('pass rate per check, in lab order', () => {
    const small = reportHtml(lab, [graded('a'), graded('b', ['delivery']), graded('c', ['delivery', 'latency']), graded('d', ['delivery'])], meta);
    const table = small.slice(small.indexOf('<table class="rates">'), small.indexOf('</table>', small.indexOf('<table class="rates">')));
    expect([...table.matchAll(/<code class="id">([^<]*)<\/code>/g)].map((m) => m[1])).toEqual(['producer', 'delivery', 'blocking', 'latency']);
    expect([...table.matchAll(/<td class="num">(\d+%)<div class="sub">(\d+\/\d+)<\/div>/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      '100% 4/4',
      '25% 1/4',
      '100% 4/4',
      '75% 3/4',
    ]);
    expect(table).toContain('<span style="width:25%">');
  });

  it('the 10 slowest submissions, slowest first', () => {
    const table = html.slice(html.indexOf('<table class="slowest">'), html.indexOf('</table>', html.indexOf('<table class="slowest">')));
    const names = [...table.matchAll(/<a href="#student-\d+">([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(names).toHaveLength(10);
    expect(names.slice(0, 2)).toEqual(['victor', 'wendy']);
  });

  it('a details per student, sorted by student, failed checks and non-graded rows marked', () => {
    const who = [...html.matchAll(/<summary><span class="who">([^<]*)<\/span>/g)].map((m) => m[1]!);
    expect(who).toHaveLength(results.length);
    const names = results.map((r) => r.student).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(who).toEqual(names.map(escapeHtml));
    expect(who.slice(0, 3)).toEqual(['&lt;img src=x onerror=alert(1)&gt;', 'mallory', 'student-01']);
    expect(html).toMatch(
      /<details class="student infra-error" id="student-\d+"><summary><span class="who">zoe<\/span><span class="state"><span class="badge infra-error">infra-error<\/span>/,
    );
    expect(html).toMatch(
      /<details class="student timeout" id="student-\d+"><summary><span class="who">wendy<\/span><span class="state"><span class="badge timeout">timeout<\/span>/,
    );
    expect(html).toContain(
      '<li class="check fail"><div class="check-head"><span class="mark">✗ FAIL</span><span class="check-title">The consumer blocks while idle</span>',
    );
    expect(html).toContain('<strong>Not graded (timeout).</strong>');
    expect(html).toContain('<strong>hint:</strong> use q.consume() (a blocking pop), not a loop around q.get()');
    expect(html).toContain('skipped __MACOSX/._consumer.py from the archive');
  });

  it('no submissions: a valid page with an empty histogram', () => {
    const empty = reportHtml(lab, [], meta);
    expect(empty).toContain('No graded submissions.');
    expect(empty).not.toContain('<details');
  });
});
