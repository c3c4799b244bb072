/**
 * The run dashboard's render time with a long live run: 100,000 per-step loss points appended in
 * batches, as the host sends them (every 100 ms), in Debian's headless Chromium. The reference in
 * the same run is the same page with chart.js decimation off. Prints the figures; exits non-zero
 * only if the page fails.
 *
 *   npm run bench:dashboard            (needs `npm run build` and /usr/bin/chromium)
 */
import { openPanel, startHarness } from '../test/webview/harness';
import { fixtureRun, progressStream } from '../test/webview/fixtures';

const TOTAL = Number(process.env.POINTS ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 1000);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1], mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

async function measure(decimation: boolean) {
  const h = await startHarness();
  try {
    const p = await openPanel(h, 'dashboard', { options: { decimation }, viewport: { width: 1400, height: 1000 } });
    const { run, events } = fixtureRun({ finished: false });
    const cut = events.findIndex((e) => e.type === 'stage-start' && e.model === 'student') + 1;
    await p.send({ type: 'dashboard/init', run, events: events.slice(0, cut) });
    let n = await p.rendered();
    const stream = progressStream(TOTAL, 1000);
    const render: number[] = [];
    const roundTrip: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < stream.length; i += BATCH) {
      const t = performance.now();
      await p.send({ type: 'dashboard/append', events: stream.slice(i, i + BATCH) });
      n = await p.rendered(n);
      roundTrip.push(performance.now() - t);
      render.push(Number(await p.page.evaluate('window.__gacd.stats.lastRenderMs')));
    }
    const appendAll = performance.now() - t0;
    // A reload of the finished long run: every point in one init message.
    const tInit = performance.now();
    await p.send({ type: 'dashboard/init', run, events: [...events.slice(0, cut), ...stream] });
    n = await p.rendered(n);
    const init = performance.now() - tInit;
    const initRender = Number(await p.page.evaluate('window.__gacd.stats.lastRenderMs'));
    // Moving the smoothing slider re-smooths and redraws all 100,000 points.
    const tSlide = performance.now();
    await p.page.evaluate(`(() => { const s = document.getElementById('smoothing'); s.value = '0.9'; s.dispatchEvent(new Event('input')); })()`);
    n = await p.rendered(n);
    const slide = performance.now() - tSlide;
    const drawn = ((await p.page.evaluate('window.__gacd.charts().loss')) as Array<{ drawn: number }>)[0].drawn;
    await p.page.close();
    return { render: stats(render), roundTrip: stats(roundTrip), appendAll, init, initRender, slide, drawn };
  } finally {
    await h.close();
  }
}

const fmt = (x: number) => x.toFixed(1).padStart(8);
(async () => {
  console.log(`dashboard: ${TOTAL.toLocaleString('en')} loss points appended in batches of ${BATCH} (Debian chromium, headless)`);
  const rows: Array<[string, Awaited<ReturnType<typeof measure>>]> = [
    ['decimation on (LTTB)', await measure(true)],
    ['decimation off (ref)', await measure(false)],
  ];
  console.log(`${''.padEnd(22)} ${'render ms: median'.padStart(18)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'msg→frame p95'.padStart(14)} ${'all appends s'.padStart(14)} ${'init 100k ms'.padStart(13)} ${'slider ms'.padStart(10)} ${'drawn pts'.padStart(10)}`);
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(22)} ${fmt(r.render.median).padStart(18)} ${fmt(r.render.p95)} ${fmt(r.render.max)} ${fmt(r.roundTrip.p95).padStart(14)} ${(r.appendAll / 1000).toFixed(2).padStart(14)} ${fmt(r.init).padStart(13)} ${fmt(r.slide).padStart(10)} ${String(r.drawn).padStart(10)}`,
    );
  }
  const [on, off] = rows.map(([, r]) => r);
  console.log(`decimation: median redraw ${(off.render.median / Math.max(on.render.median, 0.01)).toFixed(1)}x faster at ${TOTAL.toLocaleString('en')} points (p95 ${(off.render.p95 / Math.max(on.render.p95, 0.01)).toFixed(1)}x)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
