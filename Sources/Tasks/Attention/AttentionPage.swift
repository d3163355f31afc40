import Data
import Foundation

/// `index.html`: one self-contained page (inline CSS and script, no network) over an
/// `AttentionDocument`, in the manner of bertviz: a **model view**, every layer × head of one
/// attention type as a small heat map (over the picture, for an image: the class token's
/// attention), click one to enlarge it with its tokens; and a **head view**, the tokens in two
/// columns joined by lines whose opacity is the weight, one colour per head (each can be hidden),
/// with a layer and a type selector.
///
/// For tests and readers' checks, the page reports itself in the DOM: `#errors` counts JavaScript
/// errors (`data-count`), and opened as `index.html#selftest` it switches through every type and
/// writes the result into `#selftest` (`data-status` pass or fail, `data-types`, `data-cells`);
/// `index.html#head&type=cross&layer=2` opens on the head view of layer 2's cross-attention
/// (each part is optional).
public enum AttentionPage {
    public static func render(_ document: AttentionDocument) -> String {
        // Inside <script>, "</script" would end the element and "<!--" change how it is read: "<"
        // (which JSON has only inside strings) is written as the escape \u003c.
        let data = String(decoding: document.json(), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        let title = escape("\(document.model): attention maps")
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <script>
        window.__errors = [];
        window.addEventListener('error', function (e) { window.__errors.push(String(e.message || e)); var el = document.getElementById('errors'); if (el) { showErrors(); } });
        function showErrors() {
          var el = document.getElementById('errors');
          el.dataset.count = String(window.__errors.length);
          el.textContent = window.__errors.join('\\n');
          el.hidden = window.__errors.length === 0;
        }
        </script>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header>
        <h1>\(title)</h1>
        <p id="summary"></p>
        </header>
        <pre id="errors" data-count="0" hidden></pre>
        <nav>
        <label>Attention <select id="type"></select></label>
        <label id="layer-label">Layer <select id="layer"></select></label>
        <span id="view-buttons"><button id="show-model" class="on">Model view</button><button id="show-head">Head view</button></span>
        </nav>
        <section id="model-view" aria-label="model view">
        <p class="hint">Every layer (rows) and head (columns) of the selected attention; click a map to enlarge it.</p>
        <div id="grid"></div>
        <div id="rollout"></div>
        </section>
        <section id="head-view" aria-label="head view" hidden>
        <p class="hint">Lines join each query (left) to the keys (right) it attends to; the stronger the weight, the darker the line. Hover a token to see its lines alone; click a head to hide or show it.</p>
        <div id="heads"></div>
        <div id="head-picture"></div>
        </section>
        <div id="zoom" hidden><div id="zoom-box"><button id="zoom-close" aria-label="close">×</button><div id="zoom-body"></div></div></div>
        <pre id="selftest" hidden></pre>
        <script type="application/json" id="attention-data">\(data)</script>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    static func escape(_ s: String) -> String { XMLText.escaped(s) }

    static let css = """
    body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 1.5em; color: #222; background: #fff; }
    h1 { font-size: 1.3em; margin: 0 0 .2em; }
    #summary { margin: 0 0 .6em; color: #444; white-space: pre-wrap; }
    nav { display: flex; gap: 1.2em; align-items: center; margin-bottom: .8em; flex-wrap: wrap; }
    nav button { border: 1px solid #999; background: #f4f4f4; padding: .25em .8em; cursor: pointer; }
    nav button.on { background: #08306b; color: #fff; border-color: #08306b; }
    .hint { color: #666; margin: .2em 0 .6em; }
    #grid { display: grid; gap: 4px; align-items: center; justify-content: start; }
    #grid .label { font-size: 12px; color: #555; text-align: right; padding-right: 4px; }
    #grid .head-label { text-align: center; }
    #grid canvas { border: 1px solid #bbb; cursor: zoom-in; image-rendering: pixelated; width: 96px; height: 96px; }
    #grid canvas:hover { outline: 2px solid #08306b; }
    #rollout { margin-top: 1em; }
    #rollout canvas { border: 1px solid #bbb; image-rendering: pixelated; margin-right: 8px; }
    #heads svg text { font-size: 13px; cursor: default; white-space: pre; }
    .legend { display: flex; gap: .6em; margin-bottom: .5em; flex-wrap: wrap; }
    .legend span { padding: .1em .6em; border-radius: 3px; color: #fff; cursor: pointer; user-select: none; }
    .legend span.off { opacity: .25; }
    #zoom { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: flex; align-items: center; justify-content: center; }
    #zoom[hidden] { display: none; }
    #zoom-box { background: #fff; padding: 1em; max-width: 95vw; max-height: 92vh; overflow: auto; position: relative; }
    #zoom-close { position: absolute; right: .4em; top: .2em; border: none; background: none; font-size: 1.6em; cursor: pointer; }
    #errors { color: #b00; background: #fee; padding: .5em; }
    """

    static let script = #"""
    (function () {
    'use strict';
    var D = JSON.parse(document.getElementById('attention-data').textContent);
    var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf',
                  '#7f7f7f', '#bcbd22', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd'];
    var TITLES = {'self': 'self-attention', 'encoder-self': 'encoder self-attention',
                  'decoder-self': 'decoder masked self-attention', 'cross': 'cross-attention (decoder over encoder)'};
    var state = { type: D.types[0].type, layer: 1, view: 'model', hidden: {}, focus: null };
    var picture = null;

    function $(id) { return document.getElementById(id); }
    function el(name, attrs, parent) {
      var svg = ['svg', 'line', 'text', 'rect', 'g', 'title'].indexOf(name) >= 0;
      var e = svg ? document.createElementNS('http://www.w3.org/2000/svg', name) : document.createElement(name);
      for (var k in attrs || {}) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
      if (parent) parent.appendChild(e);
      return e;
    }
    function side(type) { return D.types.filter(function (t) { return t.type === type; })[0]; }
    function map(layer, type) { return D.maps.filter(function (m) { return m.layer === layer && m.type === type; })[0]; }
    function label(t) { return /^\s*$/.test(t) ? '\u2423' : t; }
    function isImage() { return !!D.image && state.type === 'self'; }
    function shade(t) {
      t = Math.max(0, Math.min(1, t));
      return [Math.round(255 + (8 - 255) * t), Math.round(255 + (48 - 255) * t), Math.round(255 + (107 - 255) * t)];
    }

    // A heat map of one head (queries × keys) on a canvas, a pixel per weight, shaded by the head's largest.
    function heatCanvas(w) {
      var q = w.length, k = w[0].length, c = el('canvas', { width: k, height: q });
      var ctx = c.getContext('2d'), img = ctx.createImageData(k, q), top = 0;
      w.forEach(function (row) { row.forEach(function (v) { if (v > top) top = v; }); });
      for (var i = 0; i < q; i++) for (var j = 0; j < k; j++) {
        var s = shade(top > 0 ? w[i][j] / top : 0), o = (i * k + j) * 4;
        img.data[o] = s[0]; img.data[o + 1] = s[1]; img.data[o + 2] = s[2]; img.data[o + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      return c;
    }

    // The picture with one weight per patch over it (red to yellow, opacity by weight), size px.
    function overlayCanvas(patches, size) {
      var c = el('canvas', { width: size, height: size }), ctx = c.getContext('2d');
      var cols = D.image.columns, rows = D.image.rows, top = Math.max.apply(null, patches);
      ctx.imageSmoothingEnabled = false;
      if (picture && picture.complete) ctx.drawImage(picture, 0, 0, size, size);
      for (var r = 0; r < rows; r++) for (var col = 0; col < cols; col++) {
        var t = top > 0 ? patches[r * cols + col] / top : 0;
        ctx.fillStyle = 'rgba(255,' + Math.round(40 + 215 * t) + ',0,' + (0.8 * t).toFixed(3) + ')';
        ctx.fillRect(col * size / cols, r * size / rows, size / cols + 0.5, size / rows + 0.5);
      }
      return c;
    }
    function classRow(w) { return w[0].slice(1); }

    function fillSelectors() {
      var type = $('type'), layer = $('layer');
      type.innerHTML = ''; layer.innerHTML = '';
      D.types.forEach(function (t) { el('option', { value: t.type, text: TITLES[t.type] || t.type }, type); });
      for (var l = 1; l <= D.layers; l++) el('option', { value: String(l), text: String(l) }, layer);
      type.value = state.type; layer.value = String(state.layer);
      type.onchange = function () { setType(type.value); };
      layer.onchange = function () { state.layer = +layer.value; renderHeads(); };
      $('show-model').onclick = function () { setView('model'); };
      $('show-head').onclick = function () { setView('head'); };
      $('zoom-close').onclick = function () { $('zoom').hidden = true; };
      $('zoom').onclick = function (e) { if (e.target === $('zoom')) $('zoom').hidden = true; };
    }

    function setView(view) {
      state.view = view;
      $('model-view').hidden = view !== 'model';
      $('head-view').hidden = view !== 'head';
      $('layer-label').style.display = view === 'head' ? '' : 'none';
      $('show-model').className = view === 'model' ? 'on' : '';
      $('show-head').className = view === 'head' ? 'on' : '';
    }

    function setType(type) {
      state.type = type; $('type').value = type; state.focus = null;
      renderGrid(); renderHeads();
    }

    function renderGrid() {
      var grid = $('grid'); grid.innerHTML = '';
      grid.dataset.type = state.type;
      grid.style.gridTemplateColumns = 'auto repeat(' + D.heads + ', 98px)';
      el('div', { 'class': 'label' }, grid);
      for (var h = 0; h < D.heads; h++) el('div', { 'class': 'label head-label', text: 'head ' + (h + 1) }, grid);
      for (var l = 1; l <= D.layers; l++) {
        el('div', { 'class': 'label', text: 'layer ' + l }, grid);
        var m = map(l, state.type);
        for (var h2 = 0; h2 < D.heads; h2++) {
          var c = isImage() ? overlayCanvas(classRow(m.weights[h2]), 96) : heatCanvas(m.weights[h2]);
          c.setAttribute('data-cell', ''); c.dataset.layer = String(l); c.dataset.head = String(h2 + 1);
          c.title = 'layer ' + l + ', head ' + (h2 + 1) + ' (click to enlarge)';
          c.onclick = (function (layer, head) { return function () { zoom(layer, head); }; })(l, h2);
          grid.appendChild(c);
        }
      }
      renderRollout();
    }

    function renderRollout() {
      var box = $('rollout'); box.innerHTML = '';
      if (!D.rollout || !isImage()) return;
      el('h2', { text: 'Attention rollout (Abnar & Zuidema 2020): heads averaged, identity added, rows renormalised, multiplied through the layers; the class token\'s row' , style: 'font-size:1em' }, box);
      box.appendChild(overlayCanvas(D.rollout[0].slice(1), 224)).dataset.rollout = '';
    }

    // The enlarged map: an SVG with every token labelled (or, for an image, a large overlay).
    function zoom(layer, head) {
      var body = $('zoom-body'); body.innerHTML = '';
      var m = map(layer, state.type), w = m.weights[head], s = side(state.type);
      var qs = D.tokens[s.queries], ks = D.tokens[s.keys];
      el('h2', { text: 'Layer ' + layer + ', head ' + (head + 1) + ': ' + (TITLES[state.type] || state.type), style: 'font-size:1.05em;margin-top:0' }, body);
      if (isImage()) {
        el('p', { text: 'The class token\'s attention over the patches.' }, body);
        body.appendChild(overlayCanvas(classRow(w), 448));
      } else {
        var cell = Math.max(8, Math.min(28, Math.floor(560 / Math.max(qs.length, ks.length)))), font = Math.min(13, cell - 1);
        var lw = 8 + font * 0.62 * Math.max.apply(null, qs.map(function (t) { return label(t).length; }));
        var bh = 8 + font * 0.62 * Math.max.apply(null, ks.map(function (t) { return label(t).length; }));
        var svg = el('svg', { width: lw + cell * ks.length + 10, height: 10 + cell * qs.length + bh, 'font-family': 'sans-serif' }, body);
        var top = 0; w.forEach(function (row) { row.forEach(function (v) { if (v > top) top = v; }); });
        for (var i = 0; i < qs.length; i++) for (var j = 0; j < ks.length; j++) {
          var c = shade(top > 0 ? w[i][j] / top : 0);
          var r = el('rect', { x: lw + j * cell, y: 5 + i * cell, width: cell, height: cell, fill: 'rgb(' + c.join(',') + ')' }, svg);
          el('title', { text: qs[i] + ' \u2192 ' + ks[j] + ': ' + w[i][j] }, r);
        }
        qs.forEach(function (t, i) { el('text', { x: lw - 4, y: 5 + (i + 0.5) * cell + font * 0.35, 'font-size': font, 'text-anchor': 'end', text: label(t) }, svg); });
        ks.forEach(function (t, j) {
          var x = lw + (j + 0.5) * cell + font * 0.35, y = 10 + qs.length * cell;
          el('text', { x: x, y: y, 'font-size': font, transform: 'rotate(90 ' + x + ' ' + y + ')', text: label(t) }, svg);
        });
        el('p', { text: 'Rows: ' + s.queries + ' (queries); columns: ' + s.keys + ' (keys). Darkest: ' + top.toFixed(4) + '.' }, body);
      }
      $('zoom').hidden = false;
    }

    function renderHeads() {
      var box = $('heads'); box.innerHTML = '';
      var m = map(state.layer, state.type), s = side(state.type);
      var qs = D.tokens[s.queries], ks = D.tokens[s.keys];
      box.dataset.type = state.type; box.dataset.layer = String(state.layer);
      var legend = el('div', { 'class': 'legend' }, box);
      for (var h = 0; h < D.heads; h++) {
        var tag = el('span', { text: 'head ' + (h + 1), style: 'background:' + COLORS[h % COLORS.length] }, legend);
        tag.dataset.head = String(h + 1);
        if (state.hidden[h]) tag.className = 'off';
        tag.onclick = (function (head) { return function () { state.hidden[head] = !state.hidden[head]; renderHeads(); }; })(h);
      }
      var row = 20, n = Math.max(qs.length, ks.length), colW = 12 + 7.5 * Math.max.apply(null, qs.concat(ks).map(function (t) { return label(t).length; }));
      var width = 2 * colW + 260, svg = el('svg', { width: width, height: n * row + 20, 'font-family': 'sans-serif' }, box);
      var lines = el('g', {}, svg);
      for (var h2 = 0; h2 < D.heads; h2++) {
        if (state.hidden[h2]) continue;
        var w = m.weights[h2];
        for (var i = 0; i < qs.length; i++) {
          if (state.focus !== null && state.focus !== i) continue;
          for (var j = 0; j < ks.length; j++) {
            if (w[i][j] < 0.01) continue;
            el('line', { x1: colW + 10, y1: 14 + i * row, x2: colW + 250, y2: 14 + j * row, stroke: COLORS[h2 % COLORS.length],
                         'stroke-width': 2, 'stroke-opacity': Math.min(1, w[i][j]).toFixed(3), 'data-head': h2 + 1 }, lines);
          }
        }
      }
      qs.forEach(function (t, i) {
        var e = el('text', { x: colW, y: 18 + i * row, 'text-anchor': 'end', text: label(t), 'font-weight': state.focus === i ? 'bold' : 'normal' }, svg);
        e.onmouseenter = function () { state.focus = i; renderHeads(); };
        e.onmouseleave = function () { state.focus = null; renderHeads(); };
      });
      ks.forEach(function (t, j) { el('text', { x: colW + 260, y: 18 + j * row, text: label(t) }, svg); });
      el('p', { 'class': 'hint', text: 'Left: ' + s.queries + ' (queries); right: ' + s.keys + ' (keys). Weights under 0.01 are not drawn.' }, box);
      var pic = $('head-picture'); pic.innerHTML = '';
      if (isImage()) {
        el('p', { text: 'The class token\'s attention in layer ' + state.layer + ', heads shown averaged:' }, pic);
        var shown = []; for (var h3 = 0; h3 < D.heads; h3++) if (!state.hidden[h3]) shown.push(h3);
        var mean = classRow(m.weights[0]).map(function (_, p) {
          return shown.reduce(function (a, h) { return a + m.weights[h][0][p + 1]; }, 0) / Math.max(1, shown.length);
        });
        pic.appendChild(overlayCanvas(mean, 224));
      }
    }

    function summary() {
      var lines = [D.task + ' · ' + D.layers + ' layers × ' + D.heads + ' heads'];
      if (D.input) lines.push('Input: ' + D.input);
      if (D.output) lines.push('Output: ' + D.output);
      $('summary').textContent = lines.join('\n');
    }

    // #selftest: every type through both views; the result goes into #selftest for a headless browser.
    function selftest() {
      var problems = [], cells = [];
      D.types.forEach(function (t) {
        setType(t.type);
        var n = document.querySelectorAll('#grid [data-cell]').length;
        cells.push(n);
        if (n !== D.layers * D.heads) problems.push(t.type + ': ' + n + ' cells, expected ' + D.layers * D.heads);
        if ($('grid').dataset.type !== t.type) problems.push(t.type + ': the model view shows ' + $('grid').dataset.type);
        var blank = Array.prototype.filter.call(document.querySelectorAll('#grid [data-cell]'), function (c) {
          var r = c.getBoundingClientRect(); return r.width < 10 || r.height < 10; }).length;
        if (blank) problems.push(t.type + ': ' + blank + ' cells not drawn');
        setView('head');
        for (var l = 1; l <= D.layers; l++) {
          state.layer = l; renderHeads();
          if ($('heads').dataset.type !== t.type) problems.push(t.type + ': the head view shows ' + $('heads').dataset.type);
          if (!document.querySelectorAll('#heads line').length) problems.push(t.type + ' layer ' + l + ': no lines in the head view');
        }
        state.hidden[0] = true; renderHeads();
        if (document.querySelectorAll('#heads line[data-head="1"]').length) problems.push(t.type + ': head 1 hidden but drawn');
        state.hidden[0] = false; state.layer = 1; renderHeads();
        setView('model');
        document.querySelector('#grid [data-cell]').click();
        if ($('zoom').hidden) problems.push(t.type + ': a click does not enlarge a map');
        $('zoom').hidden = true;
      });
      setType(D.types[D.types.length - 1].type);
      var out = $('selftest');
      out.dataset.types = D.types.map(function (t) { return t.type; }).join(',');
      out.dataset.cells = cells.join(',');
      out.dataset.status = problems.length ? 'fail' : 'pass';
      out.textContent = problems.length ? problems.join('\n') : 'pass';
      out.hidden = false;
    }

    function start() {
      summary(); fillSelectors(); setView('model'); setType(state.type);
      if (location.hash === '#selftest') { selftest(); showErrors(); return; }
      // #head, #type=cross, #layer=2, joined by &: the view a link opens on.
      location.hash.slice(1).split('&').forEach(function (part) {
        var kv = part.split('=');
        if (kv[0] === 'head') setView('head');
        if (kv[0] === 'layer' && +kv[1] >= 1 && +kv[1] <= D.layers) { state.layer = +kv[1]; $('layer').value = kv[1]; renderHeads(); }
        if (kv[0] === 'type' && side(kv[1])) setType(kv[1]);
      });
      showErrors();
    }
    if (D.image && D.image.png) {
      picture = new Image();
      picture.onload = start;
      picture.onerror = function () { window.__errors.push('the picture could not be decoded'); start(); };
      picture.src = D.image.png;
    } else {
      start();
    }
    })();
    """#
}
