/**
 * `DIR/report.html`: one self-contained page for the instructor (inline CSS and SVG; no script, no
 * fonts, no URLs), readable on screen and on paper. Everything a student controls is escaped, and a
 * Content-Security-Policy forbids scripts anyway, in case an escape is ever missed.
 */
import type { SubmissionResult, SubmissionStatus } from '../rubric/submission.js';
import type { Lab } from '../lab/types.js';
import {
  byStudent,
  checkPassRates,
  formatDuration,
  formatPoints,
  gradedResults,
  labMaxScore,
  mean,
  median,
  scoreHistogram,
  slowest,
  type CheckPassRate,
  type HistogramBin,
} from './batch-stats.js';
import { feedbackView, type FeedbackView } from './feedback.js';

export interface HtmlReportMeta {
  /** ISO time, shown as given. */
  generatedAt: string;
  toolVersion: string;
  /** e.g. "seeds are random per submission; each feedback names its seed". */
  seedNote?: string;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute; control characters (not tab, newline) dropped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

const statusLabel: Record<SubmissionStatus, string> = { graded: 'graded', 'infra-error': 'infra-error', timeout: 'timeout' };

/** `DIR/report.html` for `results` of `lab`: the whole page as one string (see the top of this file). */
export function reportHtml(lab: Lab, results: SubmissionResult[], meta: HtmlReportMeta): string {
  const sorted = [...results].sort(byStudent);
  // Anchors by position, not by name: a student id may hold any character.
  const anchor = new Map(sorted.map((r, i) => [r, `student-${i + 1}`]));
  const max = labMaxScore(lab);
  const scores = gradedResults(results).map((r) => r.report.score);
  const counts = { graded: 0, 'infra-error': 0, timeout: 0 } satisfies Record<SubmissionStatus, number>;
  for (const r of results) counts[r.status] += 1;

  const body = [
    header(lab, meta),
    '<main>',
    statsSection(results.length, counts, scores, max),
    notGradedNotice(
      sorted.filter((r) => r.status !== 'graded'),
      anchor,
    ),
    `<section class="card" aria-labelledby="h-dist"><h2 id="h-dist">Score distribution</h2>${histogramSvg(scoreHistogram(scores, max), max)}<p class="note">Graded submissions only (${scores.length}); a bar holds the scores whose whole part is its label.</p></section>`,
    '<div class="columns">',
    passRateSection(checkPassRates(lab, results)),
    slowestSection(slowest(results, 10), anchor, lab),
    '</div>',
    studentsSection(
      sorted.map((r) => ({ view: feedbackView(lab, r), result: r, id: anchor.get(r)! })),
      lab.checks.length,
    ),
    '</main>',
    `<footer>labs ${escapeHtml(meta.toolVersion)} · ${escapeHtml(meta.generatedAt)}</footer>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(`${lab.title} (${lab.id}): grading report`)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    ...body.filter(Boolean),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(lab: Lab, meta: HtmlReportMeta): string {
  const facts = [`Generated ${escapeHtml(meta.generatedAt)}`, `labs ${escapeHtml(meta.toolVersion)}`, ...(meta.seedNote ? [escapeHtml(meta.seedNote)] : [])];
  return `<header class="page-head"><div class="wrap"><p class="eyebrow">Grading report · <code>${escapeHtml(lab.id)}</code></p><h1>${escapeHtml(lab.title)}</h1><p class="facts">${facts.join(' <span aria-hidden="true">·</span> ')}</p></div></header>`;
}

function stat(value: string, label: string, extra = '', cls = ''): string {
  return `<div class="stat${cls ? ` ${cls}` : ''}"><div class="stat-value">${value}</div><div class="stat-label">${label}</div>${extra ? `<div class="stat-extra">${extra}</div>` : ''}</div>`;
}

function statsSection(total: number, counts: Record<SubmissionStatus, number>, scores: number[], max: number): string {
  const avg = mean(scores);
  const mid = median(scores);
  const points = (v: number | undefined): string => (v === undefined ? '—' : `${formatPoints(v)}<small> / ${formatPoints(max)}</small>`);
  const share = (v: number | undefined): string => (v === undefined || max === 0 ? '' : `${Math.round((v / max) * 100)}% of the points`);
  return `<section class="stats" aria-label="Summary">${[
    stat(String(total), 'submissions'),
    stat(String(counts.graded), 'graded', '', 'graded'),
    stat(String(counts['infra-error']), 'infra-error', counts['infra-error'] ? 'not a grade: rerun' : '', counts['infra-error'] ? 'infra-error' : ''),
    stat(String(counts.timeout), 'timeout', counts.timeout ? 'not a grade: rerun' : '', counts.timeout ? 'timeout' : ''),
    stat(points(avg), 'mean score', share(avg)),
    stat(points(mid), 'median score', share(mid)),
  ].join('')}</section>`;
}

function notGradedNotice(notGraded: SubmissionResult[], anchor: Map<SubmissionResult, string>): string {
  if (!notGraded.length) return '';
  const items = notGraded.map((r) => `<li><a href="#${anchor.get(r)}">${escapeHtml(r.student)}</a> ${badge(r.status)}</li>`).join('');
  return `<section class="notice" aria-label="Not graded"><p><strong>${notGraded.length} ${notGraded.length === 1 ? 'submission was' : 'submissions were'} not graded.</strong> These rows are not grades (their scores are empty in the gradebook): rerun them.</p><ul class="inline-list">${items}</ul></section>`;
}

function badge(status: SubmissionStatus): string {
  return `<span class="badge ${status}">${statusLabel[status]}</span>`;
}

/** A bar chart of the bins: a <title> per bar for tooltips and screen readers, counts written on the bars. */
function histogramSvg(bins: HistogramBin[], max: number): string {
  const width = 1000;
  const height = 280;
  const left = 48;
  const right = 12;
  const top = 28;
  const bottom = 52;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const highest = Math.max(1, ...bins.map((b) => b.count));
  const step = niceStep(highest);
  const yMax = Math.ceil(highest / step) * step;
  const band = plotW / Math.max(1, bins.length);
  const barW = Math.max(2, band * 0.78);
  const y = (count: number): number => top + plotH - (count / yMax) * plotH;
  const labelEvery = Math.ceil(bins.length / 26);
  const total = bins.reduce((sum, b) => sum + b.count, 0);

  const grid: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    grid.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`,
    );
  }
  const bars = bins.map((b, i) => {
    const x = left + i * band + (band - barW) / 2;
    const cx = (x + barW / 2).toFixed(1);
    const h = (b.count / yMax) * plotH;
    const full = b.to >= max && max > 0;
    const what = `${b.count} ${b.count === 1 ? 'submission' : 'submissions'} scored ${b.label}${b.label.includes('–') ? '' : ` point${b.label === '1' ? '' : 's'}`}`;
    return [
      `<g class="bar${full ? ' full' : ''}${b.count ? '' : ' empty'}">`,
      `<title>${escapeHtml(what)}</title>`,
      // A transparent full-height target, so an empty bin still has its tooltip.
      `<rect class="hit" x="${(left + i * band).toFixed(1)}" y="${top}" width="${band.toFixed(1)}" height="${plotH}"/>`,
      b.count ? `<rect class="fill" x="${x.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" rx="3"/>` : '',
      b.count ? `<text class="count" x="${cx}" y="${(y(b.count) - 6).toFixed(1)}" text-anchor="middle">${b.count}</text>` : '',
      i % labelEvery === 0 || i === bins.length - 1
        ? `<text class="xlabel" x="${cx}" y="${top + plotH + 18}" text-anchor="middle">${escapeHtml(b.label)}</text>`
        : '',
      '</g>',
    ].join('');
  });
  const desc = bins
    .filter((b) => b.count)
    .map((b) => `${b.label}: ${b.count}`)
    .join(', ');
  return [
    `<svg class="histogram" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="hist-title hist-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="hist-title">Score distribution: ${total} graded ${total === 1 ? 'submission' : 'submissions'}, 0 to ${formatPoints(max)} points</title>`,
    `<desc id="hist-desc">${escapeHtml(desc ? `Submissions per score: ${desc}.` : 'No graded submissions.')}</desc>`,
    ...grid,
    `<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"/>`,
    ...bars,
    `<text class="axis-title" x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">points</text>`,
    `<text class="axis-title" x="14" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotH / 2})">submissions</text>`,
    '</svg>',
  ].join('');
}

function niceStep(highest: number): number {
  const rough = highest / 5;
  if (rough <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const ratio = rough / magnitude;
  return (ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 5 ? 5 : 10) * magnitude;
}

function passRateSection(rates: CheckPassRate[]): string {
  const rows = rates.map((r) => {
    const pct = r.rate === undefined ? undefined : Math.round(r.rate * 100);
    const tone = pct === undefined ? '' : pct >= 80 ? 'good' : pct >= 50 ? 'fair' : 'poor';
    const bar = `<div class="meter ${tone}" role="img" aria-label="${pct === undefined ? 'not graded' : `${pct}% passed`}"><span style="width:${pct ?? 0}%"></span></div>`;
    return `<tr><td><div class="check-name">${escapeHtml(r.title)}</div><code class="id">${escapeHtml(r.id)}</code></td><td class="num">${formatPoints(r.points)}</td><td class="rate">${bar}</td><td class="num">${pct === undefined ? '—' : `${pct}%`}<div class="sub">${r.passed}/${r.graded}</div></td></tr>`;
  });
  return `<section class="card" aria-labelledby="h-pass"><h2 id="h-pass">Pass rate per check</h2><table class="rates"><thead><tr><th scope="col">check</th><th scope="col" class="num">points</th><th scope="col">passed</th><th scope="col" class="num">rate</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function slowestSection(rows: SubmissionResult[], anchor: Map<SubmissionResult, string>, lab: Lab): string {
  const max = formatPoints(labMaxScore(lab));
  const body = rows.map((r) => {
    const score = r.status === 'graded' && r.report ? `${formatPoints(r.report.score)}/${max}` : '—';
    return `<tr><td><a href="#${anchor.get(r)}">${escapeHtml(r.student)}</a></td><td>${badge(r.status)}</td><td class="num">${score}</td><td class="num">${formatDuration(r.durationMs)}</td></tr>`;
  });
  return `<section class="card" aria-labelledby="h-slow"><h2 id="h-slow">Slowest submissions</h2><table class="slowest"><thead><tr><th scope="col">student</th><th scope="col">status</th><th scope="col" class="num">score</th><th scope="col" class="num">time</th></tr></thead><tbody>${body.join('')}</tbody></table></section>`;
}

function studentsSection(entries: { view: FeedbackView; result: SubmissionResult; id: string }[], checkCount: number): string {
  // The dots column is as wide as the lab has checks, so the columns line up from row to row.
  return `<section class="card students" style="--dots:${checkCount * 13}px" aria-labelledby="h-students"><h2 id="h-students">Feedback per student <span class="count-pill">${entries.length}</span></h2><p class="note">Each row opens to what the student reads in <code>feedback/&lt;student&gt;.md</code>. <span class="legend"><span class="dot pass"></span> passed <span class="dot fail"></span> failed</span></p>${entries.map((e) => studentDetails(e.view, e.result, e.id)).join('\n')}</section>`;
}

function studentDetails(view: FeedbackView, result: SubmissionResult, id: string): string {
  const g = view.graded;
  const dots = g
    ? `<span class="dots">${g.checks.map((c) => `<span class="dot ${c.passed ? 'pass' : 'fail'}" title="${escapeHtml(`${c.title}: ${c.passed ? 'passed' : 'failed'}`)}"></span>`).join('')}</span>`
    : '<span class="dots"></span>';
  const pct = g && g.maxScore > 0 ? Math.round((g.score / g.maxScore) * 100) : 0;
  const score = g
    ? `<span class="score"><span class="meter small ${g.allPassed ? 'good' : pct >= 50 ? 'fair' : 'poor'}"><span style="width:${pct}%"></span></span><b>${formatPoints(g.score)}</b>/${formatPoints(g.maxScore)}</span>`
    : '<span class="score muted">—</span>';
  const state = g
    ? g.allPassed
      ? '<span class="badge pass">all passed</span>'
      : `<span class="badge fail">${escapeHtml(g.verdict.replace(/ checks failed$/, ' failed'))}</span>`
    : badge(view.status);
  const warn = view.warnings.length
    ? `<span class="warn-flag" title="${view.warnings.length} note(s) about the submission">⚠ ${view.warnings.length}</span>`
    : '';
  const summary = `<summary><span class="who">${escapeHtml(view.student)}</span><span class="state">${state}${warn}</span>${dots}${score}<span class="time">${formatDuration(result.durationMs)}</span></summary>`;

  const parts: string[] = [];
  if (view.notGraded) {
    parts.push(
      `<div class="callout ${view.status}"><p><strong>Not graded (${statusLabel[view.status]}).</strong> ${escapeHtml(view.notGraded.explanation)}</p>${view.notGraded.error ? `<pre class="evidence">${escapeHtml(view.notGraded.error)}</pre>` : ''}</div>`,
    );
  }
  if (g) {
    parts.push(
      `<p class="verdict ${g.allPassed ? 'pass' : 'fail'}"><strong>${escapeHtml(g.verdict)}: ${formatPoints(g.score)}/${formatPoints(g.maxScore)} points</strong> <span class="muted">(seed ${g.seed}; <code>--seed ${g.seed}</code> replays this run)</span></p>`,
    );
    const checks = g.checks.map((c) => {
      const detailBlock = c.details.length ? `<pre class="evidence">${escapeHtml(c.details.join('\n'))}</pre>` : '';
      const hint = c.hint ? `<p class="hint"><strong>hint:</strong> ${escapeHtml(c.hint)}</p>` : '';
      return `<li class="check ${c.passed ? 'pass' : 'fail'}"><div class="check-head"><span class="mark">${c.mark}</span><span class="check-title">${escapeHtml(c.title)}</span><code class="id">${escapeHtml(c.id)}</code><span class="pts">${formatPoints(c.score)}/${formatPoints(c.maxScore)}</span></div><p class="seen">${escapeHtml(c.summary)}</p>${detailBlock}${hint}</li>`;
    });
    parts.push(`<ol class="checks">${checks.join('')}</ol>`);
  }
  if (view.warnings.length) {
    parts.push(`<div class="warnings"><h3>Notes on the submission</h3><ul>${view.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`);
  }
  return `<details class="student ${view.status}${g && !g.allPassed ? ' has-failures' : ''}" id="${id}">${summary}<div class="student-body">${parts.join('')}</div></details>`;
}

const css = `
:root{--text:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--card:#fff;--accent:#4361c2;--accent-2:#2f4aa0;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--timeout:#9a6700;--timeout-bg:#fff8c5;--infra:#8250df;--infra-bg:#fbefff;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--soft);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre{font-family:var(--mono);font-size:.86em}
a{color:var(--accent-2)}
.wrap,main{max-width:1160px;margin:0 auto;padding:0 28px}
.page-head{background:linear-gradient(135deg,#1c2541 0%,#2f3e6e 100%);color:#fff;padding:30px 0 26px}
.page-head h1{margin:2px 0 6px;font-size:28px;font-weight:650;letter-spacing:-.01em}
.eyebrow{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:#b8c4ea}
.eyebrow code{text-transform:none;letter-spacing:0;color:#fff;background:rgba(255,255,255,.12);padding:1px 6px;border-radius:4px}
.facts{margin:0;color:#d5dcf3;font-size:13px}
main{padding-top:22px;padding-bottom:24px}
h2{font-size:17px;margin:0 0 14px;font-weight:650}
h3{font-size:14px;margin:0 0 6px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(31,35,40,.04)}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:0 0 18px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px;border-top:4px solid var(--line)}
.stat.graded{border-top-color:var(--pass)}.stat.infra-error{border-top-color:var(--infra)}.stat.timeout{border-top-color:var(--timeout)}
.stat-value{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.stat-value small{font-size:14px;color:var(--muted);font-weight:500}
.stat-label{color:var(--muted);font-size:13px}
.stat-extra{font-size:12px;color:var(--muted)}
.stat.infra-error .stat-extra{color:var(--infra)}.stat.timeout .stat-extra{color:var(--timeout)}
.notice{background:var(--timeout-bg);border:1px solid #d4a72c;border-left:5px solid var(--timeout);border-radius:10px;padding:12px 18px;margin:0 0 18px}
.notice p{margin:0 0 8px}
.inline-list{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}
.inline-list li{display:flex;align-items:center;gap:6px}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
.histogram{width:100%;height:auto;display:block}
.histogram .grid{stroke:#eaeef2}.histogram .axis{stroke:#8c959f}
.histogram .tick,.histogram .xlabel{fill:var(--muted);font-size:13px;font-variant-numeric:tabular-nums}
.histogram .axis-title{fill:var(--muted);font-size:13px}
.histogram .hit{fill:transparent}
.histogram .fill{fill:var(--accent)}
.histogram .full .fill{fill:var(--pass)}
.histogram .bar:hover .fill{fill:var(--accent-2)}
.histogram .count{fill:var(--text);font-size:13px;font-weight:600}
.columns{display:grid;grid-template-columns:3fr 2fr;gap:18px;align-items:start}
table{width:100%;border-collapse:collapse;font-size:14px}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid #eaeef2;padding:8px;vertical-align:middle}
tr:last-child td{border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sub{color:var(--muted);font-size:12px}
.check-name{font-weight:550}
code.id{color:var(--muted);font-size:12px}
td.rate{width:38%}
.meter{height:10px;background:#eaeef2;border-radius:5px;overflow:hidden}
.meter span{display:block;height:100%;background:var(--accent);border-radius:5px}
.meter.good span{background:var(--pass)}.meter.fair span{background:#bf8700}.meter.poor span{background:var(--fail)}
.meter.small{width:56px;height:6px;display:inline-block;vertical-align:middle;margin-right:8px}
.slowest td:first-child{font-family:var(--mono);font-size:13px;word-break:break-all}
.badge{display:inline-block;font-size:11.5px;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid;white-space:nowrap;line-height:1.6}
.badge.graded{color:var(--pass);background:var(--pass-bg);border-color:#aceebb}
.badge.pass{color:var(--pass);background:var(--pass-bg);border-color:#aceebb}
.badge.fail{color:var(--fail);background:var(--fail-bg);border-color:#ffcecb}
.badge.timeout{color:var(--timeout);background:var(--timeout-bg);border-color:#eed888}
.badge.infra-error{color:var(--infra);background:var(--infra-bg);border-color:#e3ccff}
.count-pill{font-size:12px;font-weight:600;background:var(--soft);border:1px solid var(--line);border-radius:999px;padding:1px 8px;color:var(--muted);vertical-align:middle}
.legend{margin-left:10px;white-space:nowrap}
.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:3px;vertical-align:middle}
.dot.pass{background:var(--pass)}.dot.fail{background:var(--fail)}
.legend .dot{margin-left:8px}
details.student{border:1px solid var(--line);border-left:4px solid var(--pass);border-radius:8px;margin:0 0 8px;background:var(--card)}
details.student.has-failures{border-left-color:#e5868c}
details.student.timeout{border-left-color:var(--timeout);background:#fffdf0}
details.student.infra-error{border-left-color:var(--infra);background:#fdf8ff}
summary{display:grid;grid-template-columns:10px minmax(180px,1fr) 150px var(--dots,52px) 130px 84px;gap:12px;align-items:center;padding:9px 14px;cursor:pointer;list-style:none}
summary::-webkit-details-marker{display:none}
summary::before{content:"";width:0;height:0;border-left:6px solid var(--muted);border-top:5px solid transparent;border-bottom:5px solid transparent;transition:transform .15s}
details[open] > summary::before{transform:rotate(90deg)}
details[open] > summary{border-bottom:1px solid var(--line)}
.who{font-family:var(--mono);font-size:14px;font-weight:600;overflow-wrap:anywhere}
.dots{white-space:nowrap}.state{display:flex;gap:8px;align-items:center}
.score{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.time{text-align:right;color:var(--muted);font-size:13px;font-variant-numeric:tabular-nums;white-space:nowrap}
.warn-flag{color:var(--timeout);font-size:12px;font-weight:600}
.muted{color:var(--muted)}
.student-body{padding:12px 18px 16px 42px}
.verdict{margin:0 0 10px}
.verdict.pass strong{color:var(--pass)}.verdict.fail strong{color:var(--fail)}
.checks{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.check{border:1px solid var(--line);border-left:4px solid var(--pass);border-radius:6px;padding:8px 12px}
.check.fail{border-color:#ffcecb;border-left-color:var(--fail);background:var(--fail-bg)}
.check-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.mark{font-weight:700;font-size:12.5px;white-space:nowrap}
.check.pass .mark{color:var(--pass)}.check.fail .mark{color:var(--fail)}
.check-title{font-weight:600}
.pts{margin-left:auto;font-variant-numeric:tabular-nums;font-weight:600}
.seen{margin:4px 0 0}
.evidence{margin:6px 0 0;background:rgba(246,248,250,.9);border:1px solid #eaeef2;border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere}
.check.fail .evidence{background:rgba(255,255,255,.7)}
.hint{margin:6px 0 0}
.hint strong{color:var(--fail)}
.callout{border-radius:6px;padding:10px 14px;margin:0 0 10px;border:1px solid}
.callout p{margin:0}
.callout.timeout{background:var(--timeout-bg);border-color:#eed888}
.callout.infra-error{background:var(--infra-bg);border-color:#e3ccff}
.warnings{margin-top:12px;border-top:1px dashed var(--line);padding-top:8px;font-size:14px}
.warnings ul{margin:0;padding-left:20px}
footer{max-width:1160px;margin:0 auto;padding:8px 28px 28px;color:var(--muted);font-size:12px}
@media (max-width:900px){.stats{grid-template-columns:repeat(3,1fr)}.columns{grid-template-columns:1fr}summary{grid-template-columns:10px 1fr auto auto}.dots,.time{display:none}}
@media print{
body{background:#fff;font-size:11pt}
.page-head{background:none;color:var(--text);padding:0 0 8px;border-bottom:2px solid var(--text)}
.eyebrow,.facts{color:var(--muted)}.eyebrow code{color:var(--text);background:none;padding:0}
.wrap,main,footer{max-width:none;padding-left:0;padding-right:0}
.card,.stat{box-shadow:none}
.stats{grid-template-columns:repeat(3,1fr)}
.columns{grid-template-columns:1fr}
.card,.stats,.notice,.check,summary{break-inside:avoid}
.students{border:0;padding:0}
details.student{break-inside:auto}
details::details-content{content-visibility:visible;display:block}
summary::before{display:none}
summary{grid-template-columns:minmax(140px,1fr) 140px var(--dots,52px) 120px 70px}
a{color:inherit;text-decoration:none}
}
@page{margin:14mm}
`;
