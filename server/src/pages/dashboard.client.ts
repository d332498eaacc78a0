/**
 * The dashboard page's script, shipped inline (no CDN, no build step): it reads a token from the URL
 * fragment (`#token=...`, never sent to the server, removed from the address bar at once) or from the
 * form, fetches the summary JSON with it, and draws figures and inline SVG charts. Everything user-written
 * (titles, labels, prizes) goes in through textContent, never as HTML.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var streamId = document.body.getAttribute('data-stream');
  var SVG = 'http://www.w3.org/2000/svg';
  var statusEl = document.getElementById('status');
  var form = document.getElementById('auth');
  var content = document.getElementById('content');
  var token = null;
  var timer = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.append(c instanceof Node ? c : document.createTextNode(String(c))); });
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function num(n) { return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'); }
  function pct(r) { return r === null || r === undefined ? '—' : (r * 100).toFixed(1) + '%'; }
  function dur(sec) {
    sec = Math.round(sec || 0);
    var h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
  }
  function time(ms) { return ms === null || ms === undefined ? '—' : new Date(ms).toLocaleString(); }
  function hhmm(ms) { var d = new Date(ms); return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0'); }

  function readToken() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      token = decodeURIComponent(m[1]);
      try { sessionStorage.setItem('stickyroom-token', token); } catch (e) { /* private mode */ }
      history.replaceState(null, '', location.pathname + location.search);
    } else {
      try { token = sessionStorage.getItem('stickyroom-token'); } catch (e) { token = null; }
    }
  }

  function askToken(message) {
    statusEl.textContent = message;
    form.hidden = false;
  }

  function load() {
    clearTimeout(timer);
    if (!token) return askToken('Paste a brand or staff token of this stream\'s brand to read its summary.');
    fetch('/api/streams/' + encodeURIComponent(streamId) + '/summary', { headers: { authorization: 'Bearer ' + token } })
      .then(function (res) { return res.json().then(function (body) { return { res: res, body: body }; }); })
      .then(function (r) {
        if (!r.res.ok) {
          var msg = (r.body && r.body.error && r.body.error.message) || ('HTTP ' + r.res.status);
          if (r.res.status === 401 || r.res.status === 403) return askToken('Not allowed: ' + msg);
          statusEl.textContent = 'Could not load the summary: ' + msg;
          return;
        }
        form.hidden = true;
        render(r.body);
        if (!r.body.final) timer = setTimeout(load, 10000);
      })
      .catch(function (e) { statusEl.textContent = 'Could not load the summary: ' + e.message; timer = setTimeout(load, 10000); });
  }

  function money(cents, currency) {
    try { return (cents / 100).toLocaleString('en-US', { style: 'currency', currency: currency }); }
    catch (e) { return (cents / 100).toFixed(2) + ' ' + currency; }
  }
  function revenueText(s) {
    var currencies = Object.keys(s.revenueByCurrency || {}).sort();
    if (!currencies.length) return s.revenue.toFixed(2);
    return currencies.map(function (c) { return money(s.revenueByCurrency[c], c); }).join(' + ');
  }

  function card(label, value, detail) {
    return el('div', { class: 'card' }, [el('div', { class: 'label' }, [label]), el('div', { class: 'value' }, [value]), el('div', { class: 'detail' }, [detail || ''])]);
  }

  var MARK = { quiz: 'Q', lottery: 'L', drop: 'C', product: 'P', stream: 'S' };

  function chart(points, key, label, color, moments) {
    var W = 760, H = 150, L = 44, R = 12, T = 22, B = 24;
    var vals = points.map(function (p) { return p[key]; });
    var max = Math.max(1, Math.max.apply(null, vals.concat([0])));
    var n = points.length;
    var x = function (i) { return L + (n <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1)); };
    var y = function (v) { return H - B - (v * (H - T - B)) / max; };
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-label': label + ' per minute', 'data-series': key });
    // distinct viewers per minute do not add up; events per minute do
    var sum = key === 'viewers' ? 'most ' + num(Math.max.apply(null, vals.concat([0]))) : 'total ' + num(vals.reduce(function (a, b) { return a + b; }, 0));
    root.append(svg('text', { x: 4, y: 14, class: 'ctitle' }, label + ' per minute (' + sum + ')'));
    root.append(svg('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), class: 'axis' }));
    root.append(svg('line', { x1: L, x2: W - R, y1: y(max), y2: y(max), class: 'grid' }));
    root.append(svg('text', { x: L - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, num(max)));
    root.append(svg('text', { x: L - 6, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, '0'));
    if (n === 0) {
      root.append(svg('text', { x: W / 2, y: H / 2, class: 'tick', 'text-anchor': 'middle' }, 'no minutes yet'));
      return root;
    }
    [0, Math.floor((n - 1) / 2), n - 1].forEach(function (i, k, all) {
      if (k > 0 && i === all[k - 1]) return;
      var anchor = n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle';
      root.append(svg('text', { x: x(i), y: H - 6, class: 'tick', 'text-anchor': anchor }, hhmm(points[i].at)));
    });
    var first = points[0].minute;
    (moments || []).forEach(function (m) {
      var i = m.minute - first;
      if (i < 0 || i >= n) return;
      var g = svg('g', { class: 'moment' });
      g.append(svg('title', {}, m.kind + ': ' + m.label + ' at ' + hhmm(m.at)));
      g.append(svg('line', { x1: x(i), x2: x(i), y1: T - 4, y2: H - B, class: 'mline' }));
      g.append(svg('text', { x: x(i), y: T - 6, class: 'mlabel', 'text-anchor': 'middle' }, MARK[m.kind] || '•'));
      root.append(g);
    });
    var d = vals.map(function (v, i) { return (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1); }).join(' ');
    if (n > 1) root.append(svg('path', { d: d + ' L' + x(n - 1).toFixed(1) + ' ' + y(0) + ' L' + x(0).toFixed(1) + ' ' + y(0) + ' Z', fill: color, 'fill-opacity': 0.12, stroke: 'none' }));
    root.append(svg('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 2, class: 'line' }));
    if (n <= 240) {
      vals.forEach(function (v, i) {
        var c = svg('circle', { cx: x(i), cy: y(v), r: n <= 60 ? 2.5 : 1.2, fill: color });
        c.append(svg('title', {}, hhmm(points[i].at) + ': ' + num(v) + ' ' + label.toLowerCase()));
        root.append(c);
      });
    }
    return root;
  }

  function bars(title, rows) {
    var max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r[1]; }).concat([0])));
    var W = 760, row = 24, H = 26 + rows.length * row, L = 150;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart bars', role: 'img', 'aria-label': title });
    root.append(svg('text', { x: 4, y: 14, class: 'ctitle' }, title));
    rows.forEach(function (r, i) {
      var yy = 24 + i * row;
      root.append(svg('text', { x: L - 8, y: yy + 14, class: 'tick', 'text-anchor': 'end' }, r[0]));
      root.append(svg('rect', { x: L, y: yy + 2, width: Math.max(1, ((W - L - 80) * r[1]) / max), height: row - 8, fill: r[2] || '#4f6bed', rx: 3 }));
      root.append(svg('text', { x: L + ((W - L - 80) * r[1]) / max + 6, y: yy + 14, class: 'tick' }, num(r[1]) + (r[3] ? ' ' + r[3] : '')));
    });
    return root;
  }

  function table(head, rows) {
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); })),
    ]);
  }

  function render(s) {
    document.title = s.title + ' · summary · stickyroom';
    statusEl.textContent = s.final
      ? 'Final summary, computed ' + time(s.computedAt) + '.'
      : 'Partial figures (stream ' + s.status + '), computed ' + time(s.computedAt) + '; refreshing every 10 s.';
    content.replaceChildren();
    content.append(el('h2', {}, [s.title]));
    content.append(el('p', { class: 'meta' }, ['Started ' + time(s.startedAt) + ' · ended ' + time(s.endedAt) + ' · duration ' + dur(s.durationSec)]));
    var cards = el('div', { class: 'cards' }, [
      card('Unique viewers', num(s.uniqueViewers), num(s.newViewers) + ' new · ' + num(s.returningViewers) + ' returning'),
      card('Peak concurrent', num(s.peakConcurrent), s.peakAt ? 'at ' + hhmm(s.peakAt) : ''),
      card('Watch time', dur(s.avgWatchSec) + ' avg', dur(s.medianWatchSec) + ' median · ' + dur(s.totalWatchSec) + ' total'),
      card('Churn since previous stream', pct(s.churnRate), s.previousStreamId ? num(s.churnedViewers) + ' of ' + num(s.previousStreamViewers) + ' did not come back' : 'no earlier stream of the brand'),
      card('Engagement rate', pct(s.engagementRate), num(s.engagedViewers) + ' viewers interacted'),
      card('Chat messages', num(s.chatMessages), num(s.chatters) + ' chatters'),
      card('Likes', num(s.likes), num(s.likers) + ' viewers liked'),
      card('Questions', num(s.questions), num(s.askers) + ' askers · ' + num(s.upvotes) + ' upvotes'),
      card('Quiz answers', num(s.quizAnswers), pct(s.quizParticipation) + ' took part · ' + pct(s.quizAccuracy) + ' correct'),
      card('Lottery entries', num(s.lotteryEntries), num(s.lotteryEntrants) + ' entrants · ' + num(s.lotteryWinners) + ' winners'),
      card('Coupon claims', num(s.couponClaims), num(s.couponRedemptions) + ' redeemed (' + pct(s.redemptionRate) + ')'),
      card('Product clicks', num(s.productClicks), num(s.clickers) + ' viewers clicked'),
      card('Orders', num(s.orders), num(s.buyers) + ' buyers · ' + pct(s.conversionRate) + ' conversion'),
      card('Revenue', revenueText(s), num(s.repeatBuyers) + ' repeat · ' + num(s.returningBuyers) + ' returning buyers'),
    ]);
    content.append(cards);
    content.append(el('p', { class: 'legend' }, ['Marks on the charts: Q quiz · L lottery · C coupon drop · P product pin (hover for details).']));
    var series = [['viewers', 'Viewers', '#4f6bed'], ['chat', 'Chat', '#0e9f6e'], ['likes', 'Likes', '#e02424'], ['claims', 'Coupon claims', '#c27803'], ['orders', 'Orders', '#7e3af2']];
    series.forEach(function (sr) { content.append(chart(s.timeline, sr[0], sr[1], sr[2], s.moments)); });
    content.append(bars('From viewers to buyers', [
      ['Viewers', s.uniqueViewers, '#4f6bed'],
      ['Interacted', s.engagedViewers, '#0e9f6e', pct(s.engagementRate)],
      ['Claimed a coupon', s.couponClaimers, '#c27803'],
      ['Bought', s.buyers, '#7e3af2', pct(s.conversionRate)],
    ]));
    if (s.segments) {
      var order = ['new', 'casual', 'engaged', 'loyal', 'at-risk', 'dormant', 'unrated'];
      var keys = Object.keys(Object.assign({}, s.segments.before, s.segments.after))
        .filter(function (k) { return (s.segments.before[k] || 0) + (s.segments.after[k] || 0) > 0; })
        .sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : 1); });
      function rank(k) { var i = order.indexOf(k); return i === -1 ? order.length : i; }
      var rows = [];
      keys.forEach(function (k) {
        rows.push([k + ' before', s.segments.before[k] || 0, '#9ca3af']);
        var ch = s.segments.change[k] || 0;
        rows.push([k + ' after', s.segments.after[k] || 0, '#4f6bed', '(' + (ch > 0 ? '+' : '') + ch + ')']);
      });
      content.append(bars("Stickiness segments of this stream's viewers", rows));
    }
    if (s.lotteries.length) {
      content.append(el('h3', {}, ['Lotteries']));
      content.append(table(['Prize', 'Entrants', 'Winners', 'Seed', 'Commitment'], s.lotteries.map(function (l) {
        return [l.prize || l.lotteryId, num(l.entrants), l.winners.join(', ') || '—', l.seed || 'not drawn', l.commitment || '—'];
      })));
    }
    content.append(el('h3', {}, ['Top engaged viewers']));
    content.append(table(['Viewer', 'Interactions', 'Likes', 'Watch', 'Orders', 'Score', 'Segment'], s.topViewers.map(function (v) {
      return [v.viewerId, num(v.interactions), num(v.likes), dur(v.watchSec), num(v.orders), v.score === null ? '—' : v.score.toFixed(1), v.segment || '—'];
    })));
    var csv = el('button', { type: 'button', id: 'csv' }, ['Download per-viewer CSV']);
    csv.addEventListener('click', downloadCsv);
    content.append(el('p', {}, [csv]));
  }

  function downloadCsv() {
    fetch('/api/streams/' + encodeURIComponent(streamId) + '/summary.csv', { headers: { authorization: 'Bearer ' + token } })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.blob(); })
      .then(function (blob) {
        var a = el('a', { href: URL.createObjectURL(blob), download: 'stream-' + streamId + '-viewers.csv' });
        document.body.append(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      })
      .catch(function (e) { statusEl.textContent = 'CSV download failed: ' + e.message; });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    token = form.elements.namedItem('token').value.trim();
    try { sessionStorage.setItem('stickyroom-token', token); } catch (e) { /* private mode */ }
    load();
  });
  window.addEventListener('hashchange', function () { readToken(); load(); });
  readToken();
  load();
})();
`;
