// The page's script. Everything a peer said is put on the page with textContent, never as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { view: null, points: [], sortKey: 'state', asc: true, filter: '', charts: {}, blocksFor: 0 };
  const STATE_ORDER = { ready: 0, handshaking: 1, connecting: 2, failed: 3, closed: 4 };

  function text(el, value) { el.textContent = value === null || value === undefined ? '–' : String(value); return el; }
  function el(tag, value, cls) { const e = document.createElement(tag); if (cls) e.className = cls; if (value !== undefined) text(e, value); return e; }
  function bytes(n) { if (n === null || n === undefined) return '–'; const u = ['B', 'kB', 'MB', 'GB']; let i = 0; while (n >= 1000 && i < 3) { n /= 1000; i++; } return `${n.toFixed(i ? 1 : 0)} ${u[i]}`; }

  function summary(v) {
    const s = v.summary;
    const cons = s.consensusHeight === null ? 'no height yet' : `height ${s.consensusHeight} (${s.consensusPeers} peers)`;
    text($('summary'), `peers ${s.ready}/${s.target} ready · ${s.connecting} connecting · ${s.failed} failed · ${cons} · ` +
      `addresses ${s.known} known, ${s.tried} tried · in ${bytes(s.bytesInPerSec)}/s out ${bytes(s.bytesOutPerSec)}/s`);
    text($('title'), `peerscope · ${v.title}`);
    document.title = `peerscope · ${s.ready}/${s.target} ready`;
    text($('status'), `${v.live ? 'live' : 'ended'} · updated ${new Date(v.at).toLocaleTimeString()}`);
  }

  function bars(id, counts, limit) {
    const box = $(id);
    box.replaceChildren();
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, limit || 12);
    const max = Math.max(1, ...rows.map((r) => r[1]));
    if (rows.length === 0) box.append(el('div', 'none', 'bar'));
    for (const [label, n] of rows) {
      const row = el('div', undefined, 'bar');
      const fill = el('span', undefined, 'fill');
      fill.style.width = `${Math.max(2, Math.round((n / max) * 120))}px`;
      const l = el('span', label, 'label');
      l.title = label;
      row.append(l, fill, el('span', n, 'n'));
      box.append(row);
    }
  }

  function rttBuckets(peers) {
    const edges = [1, 5, 10, 50, 100, 250, 500, 1000, Infinity];
    const names = ['<1 ms', '1–5 ms', '5–10 ms', '10–50 ms', '50–100 ms', '100–250 ms', '250–500 ms', '0.5–1 s', '>1 s'];
    const counts = {};
    for (const p of peers) {
      if (p.state !== 'ready' || p.pingMs === null) continue;
      const i = edges.findIndex((e) => p.pingMs < e);
      counts[names[i]] = (counts[names[i]] || 0) + 1;
    }
    return counts;
  }

  function table(v) {
    const f = state.filter.toLowerCase();
    const rows = v.peers.filter((p) => !f || [p.address, p.state, p.userAgent, p.reason, p.services].some((x) => x && String(x).toLowerCase().includes(f)));
    const k = state.sortKey;
    rows.sort((a, b) => {
      const x = k === 'state' ? STATE_ORDER[a.state] : a[k];
      const y = k === 'state' ? STATE_ORDER[b.state] : b[k];
      const c = x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -1 : 1;
      return state.asc ? c : -c;
    });
    const body = $('peers').tBodies[0];
    const fragment = document.createDocumentFragment();
    for (const p of rows) {
      const tr = el('tr', undefined, p.state);
      tr.append(el('td', p.address), el('td', p.state), el('td', p.userAgent), el('td', p.version), el('td', p.services), el('td', p.bestHeight),
        el('td', p.pingMs === null ? null : Math.round(p.pingMs * 10) / 10), el('td', p.messagesIn), el('td', p.messagesOut), el('td', bytes(p.bytesIn)), el('td', p.reason));
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
    for (const th of $('peers').tHead.rows[0].cells) {
      th.classList.toggle('sorted', th.dataset.key === k);
      th.classList.toggle('asc', th.dataset.key === k && state.asc);
    }
  }

  function chart(id, series, data) {
    const box = $(id);
    const width = Math.max(320, Math.min(640, (document.body.clientWidth - 80) / 2));
    if (!state.charts[id]) {
      state.charts[id] = new uPlot({ width, height: 180, series: [{}, ...series], axes: [{}, { size: 70 }], scales: { x: { time: true } } }, data, box);
    } else {
      state.charts[id].setData(data);
    }
  }

  function charts() {
    const p = state.points;
    const xs = p.map((q) => q.at / 1000);
    chart('chart-peers', [{ label: 'ready', stroke: '#3e7cb1', width: 2 }, { label: 'on consensus', stroke: '#1f7a3a' }],
      [xs, p.map((q) => q.ready), p.map((q) => q.consensusPeers)]);
    chart('chart-height', [{ label: 'height', stroke: '#b35c1e', width: 2 }], [xs, p.map((q) => q.consensusHeight)]);
    chart('chart-traffic', [{ label: 'in', stroke: '#3e7cb1', width: 2 }, { label: 'out', stroke: '#7b5ea7' }], [xs, p.map((q) => q.bytesInPerSec), p.map((q) => q.bytesOutPerSec)]);
    chart('chart-failed', [{ label: 'failed', stroke: '#b42318', width: 2 }], [xs, p.map((q) => q.failed)]);
  }

  async function blocks() {
    const rows = await (await fetch('/api/blocks')).json();
    $('blocks-section').hidden = rows.length === 0;
    const body = $('blocks').tBodies[0];
    body.replaceChildren(...rows.slice().reverse().map((b) => {
      const tr = el('tr');
      tr.append(el('td', b.height), el('td', new Date(b.firstSeenAt).toLocaleTimeString()), el('td', b.firstAddress || b.firstPeer), el('td', b.peers),
        el('td', `${b.p50Ms} ms`), el('td', `${b.p90Ms} ms`), el('td', `${b.maxMs} ms`));
      return tr;
    }));
  }

  function render() {
    const v = state.view;
    if (!v) return;
    summary(v);
    bars('mix-agents', v.userAgents);
    bars('mix-rtt', rttBuckets(v.peers));
    bars('mix-commands', v.commands);
    bars('mix-failures', v.failures);
    table(v);
    charts();
  }

  $('filter').addEventListener('input', (e) => { state.filter = e.target.value; if (state.view) table(state.view); });
  for (const th of $('peers').tHead.rows[0].cells) {
    th.addEventListener('click', () => {
      if (state.sortKey === th.dataset.key) state.asc = !state.asc; else { state.sortKey = th.dataset.key; state.asc = true; }
      if (state.view) table(state.view);
    });
  }

  async function start() {
    state.points = await (await fetch('/api/series')).json();
    state.view = await (await fetch('/api/view')).json();
    render();
    blocks().catch(() => {});
    const events = new EventSource('/api/events');
    let lastAt = state.view ? state.view.at : 0;
    events.addEventListener('view', (e) => {
      const v = JSON.parse(e.data);
      if (v.at <= lastAt) return;
      lastAt = v.at;
      const height = state.view && state.view.summary.consensusHeight;
      state.view = v;
      state.points.push({
        at: v.at, ready: v.summary.ready, consensusHeight: v.summary.consensusHeight, consensusPeers: v.summary.consensusPeers,
        failed: v.summary.failed, bytesInPerSec: v.summary.bytesInPerSec, bytesOutPerSec: v.summary.bytesOutPerSec,
      });
      render();
      // The recorder writes a new height's sightings just after this snapshot: look again next time too.
      if (v.summary.consensusHeight !== height) state.blocksFor = 2;
      if (state.blocksFor > 0) { state.blocksFor--; blocks().catch(() => {}); }
    });
    events.onerror = () => text($('status'), 'disconnected: the monitor has stopped (or the connection dropped)');
  }
  start();
})();
