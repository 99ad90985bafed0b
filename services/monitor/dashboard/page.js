// The live dashboard: one snapshot a second from /api/performance/stream, 300 points kept, uPlot charts.
(() => {
  const KEEP = 300;
  const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#e3b341'];
  const $ = (id) => document.getElementById(id);
  const fmt = (n, digits = 0) =>
    n === null || n === undefined || Number.isNaN(n)
      ? '–'
      : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const times = [];
  const series = { throughput: [], queue: [], latency: new Map(), cpu: new Map() };
  const charts = {};

  function push(list, value) {
    list.push(value);
    if (list.length > KEEP) list.shift();
  }

  /** Keeps one history per name, aligned with `times` (null where a name had no value). */
  function pushNamed(map, values) {
    for (const name of Object.keys(values)) if (!map.has(name)) map.set(name, new Array(times.length - 1).fill(null));
    for (const [name, list] of map) push(list, values[name] ?? null);
  }

  function chart(key, element, names, data) {
    const width = element.clientWidth || 600;
    const signature = names.join('|');
    if (!charts[key] || charts[key].signature !== signature) {
      charts[key]?.plot.destroy();
      const opts = {
        width,
        height: 200,
        scales: { x: { time: true } },
        axes: [
          { stroke: '#8a96a3', grid: { stroke: '#243040' } },
          { stroke: '#8a96a3', grid: { stroke: '#243040' }, size: 60 },
        ],
        series: [
          {},
          ...names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true })),
        ],
      };
      charts[key] = { signature, plot: new uPlot(opts, data, element) };
    } else {
      charts[key].plot.setData(data);
    }
  }

  function render(s) {
    push(times, s.atMs / 1000);
    push(series.throughput, s.cluster.eventsPerSecond);
    push(series.queue, s.cluster.queueDepth);
    pushNamed(
      series.latency,
      Object.fromEntries(Object.entries(s.latency).map(([c, l]) => [c, l.count > 0 ? l.p99 : null])),
    );
    pushNamed(series.cpu, Object.fromEntries(s.nodes.map((n) => [n.id, n.up ? n.cpuPercent : null])));

    $('eps').textContent = fmt(s.cluster.eventsPerSecond);
    $('queue').textContent = fmt(s.cluster.queueDepth);
    $('lag').textContent = s.cluster.consumerLag === null ? '–' : `${fmt(s.cluster.consumerLag, 1)} s`;
    $('errors').textContent = s.cluster.errorRate === null ? '–' : `${fmt(s.cluster.errorRate * 100, 2)} %`;
    $('nodes-up').textContent = `${s.nodes.filter((n) => n.up).length} / ${s.nodes.length}`;

    $('nodes').querySelector('tbody').innerHTML = s.nodes
      .map(
        (n) =>
          `<tr><td>${esc(n.id)}</td><td>${esc(n.role)}</td><td class="${n.up ? 'state-up' : 'state-down'}">${n.up ? 'up' : 'DOWN'}</td><td>${fmt(n.cpuPercent, 1)}</td><td>${fmt(n.memoryPercent, 1)}</td><td>${n.rssBytes === null ? '–' : fmt(n.rssBytes / 1048576)}</td><td>${n.storeBytes === null ? '–' : fmt(n.storeBytes / 1048576)}</td><td>${fmt(n.eventLoopLagP99Ms, 1)}</td><td>${n.clock.offsetMs === null ? '–' : `${fmt(n.clock.offsetMs, 3)} ± ${fmt(n.clock.uncertaintyMs, 3)}`}</td></tr>`,
      )
      .join('');
    $('latency').querySelector('tbody').innerHTML = Object.entries(s.latency)
      .map(
        ([c, l]) =>
          `<tr><td>${esc(c)}</td><td>${fmt(l.count)}</td><td>${fmt(l.p50, 1)}</td><td>${fmt(l.p95, 1)}</td><td>${fmt(l.p99, 1)}</td><td>${fmt(l.p999, 1)}</td><td>${fmt(l.max, 1)}</td></tr>`,
      )
      .join('');
    $('bottlenecks').innerHTML =
      s.bottlenecks.length === 0
        ? '<li class="ok">none detected</li>'
        : s.bottlenecks
            .map(
              (b) =>
                `<li class="${b.severity}"><strong>${esc(b.rule)}</strong> (${esc(b.component)}): ${esc(b.evidence)} — ${esc(b.metric)} ${fmt(b.value, 1)} vs ${fmt(b.threshold, 1)} <span class="rec">→ ${esc(b.recommendation)}</span></li>`,
            )
            .join('');
    const t = s.loadTest;
    $('loadtest-body').innerHTML = t
      ? `<strong>${esc(t.testName)}</strong> ${fmt(t.elapsedSeconds)} / ${fmt(t.durationSeconds)} s<div class="progress"><div style="width:${Math.min(100, (100 * t.elapsedSeconds) / Math.max(1, t.durationSeconds))}%"></div></div>rate ${fmt(t.achievedRatePerSecond)} / ${fmt(t.intendedRatePerSecond)} events/s · p99 ${fmt(t.p99Ms, 1)} ms · acked ${fmt(t.acknowledged)} · errors ${fmt(t.errors)} · dropped ${fmt(t.dropped)}`
      : 'no test running';

    chart('throughput', $('chart-throughput'), ['events/s'], [times, series.throughput]);
    chart('queue', $('chart-queue'), ['queue depth'], [times, series.queue]);
    chart('latency', $('chart-latency'), [...series.latency.keys()], [times, ...series.latency.values()]);
    chart('cpu', $('chart-cpu'), [...series.cpu.keys()], [times, ...series.cpu.values()]);
  }

  function esc(text) {
    return String(text).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  }

  function connect() {
    const source = new EventSource('/api/performance/stream');
    source.addEventListener('open', () => {
      $('connection').textContent = 'live';
      $('connection').className = 'badge up';
    });
    source.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
    source.addEventListener('error', () => {
      $('connection').textContent = 'disconnected — retrying';
      $('connection').className = 'badge down';
    });
  }
  connect();
})();
