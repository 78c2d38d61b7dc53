// SonicGrid Studio: one session per tab (sessionStorage survives a reload, not a new tab).
"use strict";
const $ = (sel, root = document) => root.querySelector(sel);
const state = { session: null, source: null, sentAt: null, timings: [], log: [] };
window.sonicgrid = state; // read by the browser tests and bench_cli.py

async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function setStatus(text) { $("#status").textContent = text; }

// -- session --------------------------------------------------------------------------------------
async function openSession(fresh) {
  let sid = fresh ? null : sessionStorage.getItem("sonicgrid-session");
  let view = null;
  if (sid) {
    try { view = await api(`/api/sessions/${encodeURIComponent(sid)}`); } catch (e) { view = null; }
  }
  if (!view) view = await api("/api/sessions", { method: "POST" });
  state.session = view.id;
  sessionStorage.setItem("sonicgrid-session", view.id);
  $("#session-label").textContent = `session ${view.id}`;
  $("#turns").replaceChildren();
  for (const t of view.turns) renderTurn(t, null);
  showQuestion(view.question);
  resetLive();
  if (view.busy) { $("#live").hidden = false; for (const ev of view.live) onEvent(ev); }
  listen();
}

function listen() {
  if (state.source) state.source.close();
  const src = new EventSource(`/api/sessions/${encodeURIComponent(state.session)}/events`);
  for (const type of ["user", "note", "node", "verdict", "reply", "failed"]) {
    src.addEventListener(type, (e) => onEvent(JSON.parse(e.data)));
  }
  src.onerror = () => setStatus("connection lost: reconnecting…"); // EventSource retries by itself
  src.addEventListener("hello", () => { if ($("#status").textContent.startsWith("connection lost")) setStatus(""); });
  state.source = src;
}

function onEvent(ev) {
  if (ev.session !== state.session) return;
  state.log.push(ev.type);
  if (ev.type === "user") { resetLive(); $("#live").hidden = false; setStatus(`working on: ${ev.text}`); }
  else if (ev.type === "note") {
    const li = document.createElement("li"); li.className = "note"; li.textContent = ev.text;
    $("#live-verdicts").append(li);
  } else if (ev.type === "node") { $("#live-node").textContent = `(${ev.node} done)`; }
  else if (ev.type === "verdict") { $("#live-verdicts").append(verdictItem(ev)); }
  else if (ev.type === "reply") {
    $("#live").hidden = true;
    setStatus(ev.wall_s ? `answered in ${ev.wall_s.toFixed(2)} s` : "");
    if (ev.turn) {
      renderTurn(ev.turn, state.sentAt).dataset.serverMs = (1000 * (ev.wall_s || 0)).toFixed(0);
      loadFacets(); // the library has a new clip: new projects, layers or moods to filter by
    }
    else renderNote(ev.text);
    showQuestion(ev.question);
    state.sentAt = null;
  } else if (ev.type === "failed") {
    $("#live").hidden = true; renderNote(`error: ${ev.text}`); setStatus(""); state.sentAt = null;
  }
}

function resetLive() { $("#live-verdicts").replaceChildren(); $("#live-node").textContent = ""; }

async function send(text) {
  if (!text.trim()) return;
  state.sentAt = performance.now();
  try {
    await api(`/api/sessions/${encodeURIComponent(state.session)}/send`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }),
    });
  } catch (e) { setStatus(`not sent: ${e.message}`); state.sentAt = null; }
}

function showQuestion(q) {
  $("#question").hidden = !q;
  $("#question-text").textContent = q || "";
}

// -- turns ----------------------------------------------------------------------------------------
function verdictItem(v) {
  const li = document.createElement("li");
  li.className = "verdict";
  li.dataset.agent = v.agent; li.dataset.choice = v.choice;
  const where = v.cell === null || v.cell === undefined ? "" : ` cell ${v.cell}`;
  const head = document.createElement("span");
  head.innerHTML = `<b></b>${where}: <span class="choice"></span> (<span class="conf"></span>, <i></i>) `;
  head.querySelector("b").textContent = v.agent;
  head.querySelector(".choice").textContent = v.choice;
  head.querySelector(".conf").textContent = Number(v.confidence).toFixed(2);
  head.querySelector("i").textContent = v.brain || "rules";
  const reason = document.createElement("span");
  reason.className = "reason"; reason.textContent = v.reason;
  const ev = document.createElement("details");
  ev.innerHTML = "<summary>evidence</summary><pre></pre>";
  ev.querySelector("pre").textContent = JSON.stringify(v.evidence || {}, null, 1);
  li.append(head, reason, " ", ev);
  return li;
}

function renderNote(text) {
  const card = $("#turn-tpl").content.firstElementChild.cloneNode(true);
  card.querySelector(".you").remove();
  card.querySelector(".reply").textContent = text;
  card.querySelector(".verdicts").remove();
  $("#turns").append(card);
  card.scrollIntoView({ block: "end" });
}

function renderTurn(t, sentAt) {
  const card = $("#turn-tpl").content.firstElementChild.cloneNode(true);
  card.dataset.n = t.n; card.dataset.run = t.run_id || "";
  card.querySelector(".you").textContent = t.text;
  card.querySelector(".reply").textContent = t.reply || "";
  const ol = card.querySelector(".verdicts ol");
  for (const v of t.verdicts || []) ol.append(verdictItem(v));
  if (t.audio) {
    card.querySelector(".clip").hidden = false;
    const f = t.facts || {};
    const bits = [f.key ? `key ${f.key}` : "key ?", f.tempo_bpm ? `${f.tempo_bpm} bpm` : "tempo ?",
      f.duration_s ? `${Number(f.duration_s).toFixed(1)} s` : "", f.score ? `score ${Number(f.score).toFixed(1)}/10` : "",
      f.lufs ? `${Number(f.lufs).toFixed(1)} LUFS` : "", f.mood || "", (f.layers || []).join(", ")];
    card.querySelector(".facts").textContent = bits.filter(Boolean).join(" · ");
    card.querySelector(".trace").href = t.report;
    const audio = card.querySelector(".player");
    audio.dataset.master = t.audio;
    audio.src = t.audio;
    if (sentAt !== null && sentAt !== undefined) {
      audio.addEventListener("loadedmetadata", () => {
        if (!(audio.duration > 0) || card.dataset.playableMs) return;
        const ms = performance.now() - sentAt;
        card.dataset.playableMs = ms.toFixed(0);
        state.timings.push(ms);
        card.querySelector(".timing").textContent = ` send → playable ${(ms / 1000).toFixed(2)} s`;
      }, { once: true });
    }
    drawWave(card.querySelector(".wave"), t.audio);
    if ((t.stems || []).length) buildMixer(card, t.stems, audio);
  }
  $("#turns").append(card);
  card.scrollIntoView({ block: "end" });
  return card;
}

// -- audio helpers: decode without an AudioContext (no autoplay prompts), render, encode -----------
async function decode(url) {
  const buf = await (await fetch(url)).arrayBuffer();
  return new OfflineAudioContext(1, 1, 44100).decodeAudioData(buf);
}

async function drawWave(canvas, url) {
  try {
    const ab = await decode(url);
    paint(canvas, ab);
  } catch (e) { canvas.replaceWith(document.createTextNode("(no waveform: " + e.message + ")")); }
}

function paint(canvas, ab) {
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  const x = ab.getChannelData(0), step = Math.max(1, Math.floor(x.length / w));
  ctx.clearRect(0, 0, w, h); ctx.fillStyle = "#5c7cfa";
  for (let i = 0; i < w; i++) {
    let lo = 0, hi = 0;
    for (let j = i * step; j < Math.min(x.length, (i + 1) * step); j++) { if (x[j] < lo) lo = x[j]; if (x[j] > hi) hi = x[j]; }
    ctx.fillRect(i, h / 2 - hi * h / 2, 1, Math.max(1, (hi - lo) * h / 2));
  }
  canvas.dataset.drawn = "1";
}

function encodeWav(ab) {
  const ch = ab.numberOfChannels, n = ab.length, sr = ab.sampleRate;
  const out = new DataView(new ArrayBuffer(44 + n * ch * 2));
  const str = (o, s) => { for (let i = 0; i < s.length; i++) out.setUint8(o + i, s.charCodeAt(i)); };
  str(0, "RIFF"); out.setUint32(4, 36 + n * ch * 2, true); str(8, "WAVEfmt "); out.setUint32(16, 16, true);
  out.setUint16(20, 1, true); out.setUint16(22, ch, true); out.setUint32(24, sr, true);
  out.setUint32(28, sr * ch * 2, true); out.setUint16(32, ch * 2, true); out.setUint16(34, 16, true);
  str(36, "data"); out.setUint32(40, n * ch * 2, true);
  const data = [...Array(ch).keys()].map((c) => ab.getChannelData(c));
  let o = 44;
  for (let i = 0; i < n; i++) for (let c = 0; c < ch; c++) {
    const s = Math.max(-1, Math.min(1, data[c][i])); out.setInt16(o, s < 0 ? s * 0x8000 : s * 0x7fff, true); o += 2;
  }
  return new Blob([out], { type: "audio/wav" });
}

// -- stem mixer: mute / solo / level per layer, rendered offline into the card's player -------------
function buildMixer(card, stems, audio) {
  const mixer = card.querySelector(".mixer"), table = mixer.querySelector(".stems");
  mixer.hidden = false;
  const rows = stems.map((s) => ({ ...s, mute: false, solo: false, level: 1.0, buffer: null }));
  for (const r of rows) {
    const tr = document.createElement("tr");
    tr.className = "stem"; tr.dataset.stem = r.name;
    tr.innerHTML = `<td class="name"></td><td><button class="mute" type="button" aria-pressed="false">mute</button>
      <button class="solo" type="button" aria-pressed="false">solo</button></td>
      <td><input class="level" type="range" min="0" max="1.5" step="0.05" value="1" aria-label="level"></td>`;
    tr.querySelector(".name").textContent = `${r.section} · ${r.layer}`;
    const toggle = (key, btn) => { r[key] = !r[key]; btn.setAttribute("aria-pressed", String(r[key])); remix(); };
    tr.querySelector(".mute").addEventListener("click", (e) => toggle("mute", e.currentTarget));
    tr.querySelector(".solo").addEventListener("click", (e) => toggle("solo", e.currentTarget));
    tr.querySelector(".level").addEventListener("change", (e) => { r.level = Number(e.target.value); remix(); });
    table.append(tr);
  }
  mixer.querySelector(".master").addEventListener("click", () => {
    audio.src = audio.dataset.master; card.dataset.source = "master"; mixer.querySelector(".mixnote").textContent = "";
  });
  let busy = Promise.resolve();
  function remix() { busy = busy.then(render).catch((e) => { mixer.querySelector(".mixnote").textContent = e.message; }); }
  async function render() {
    for (const r of rows) if (!r.buffer) r.buffer = await decode(r.url);
    const sr = rows[0].buffer.sampleRate, len = Math.max(...rows.map((r) => r.buffer.length));
    const ctx = new OfflineAudioContext(2, len, sr);
    const soloed = rows.some((r) => r.solo);
    for (const r of rows) {
      const src = ctx.createBufferSource(), g = ctx.createGain();
      src.buffer = r.buffer;
      g.gain.value = r.mute || (soloed && !r.solo) ? 0 : r.level;
      src.connect(g).connect(ctx.destination); src.start();
    }
    const mixed = await ctx.startRendering();
    let sum = 0; const x = mixed.getChannelData(0);
    for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
    const rms = Math.sqrt(sum / Math.max(1, x.length));
    const old = audio.src;
    audio.src = URL.createObjectURL(encodeWav(mixed));
    if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    card.dataset.source = "stems"; card.dataset.mixRms = rms.toFixed(6);
    card.dataset.mixCount = String(Number(card.dataset.mixCount || 0) + 1);
    mixer.querySelector(".mixnote").textContent = `playing the stem mix (rms ${rms.toFixed(4)})`;
    paint(card.querySelector(".wave"), mixed);
  }
}

// -- library ----------------------------------------------------------------------------------------
async function loadFacets() {
  try {
    const f = await api("/api/library/facets");
    for (const k of ["project", "layer", "mood"]) {
      const sel = $(`#lib-${k}`), keep = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      for (const v of f[k] || []) { const o = document.createElement("option"); o.value = o.textContent = v; sel.append(o); }
      sel.value = keep;
    }
  } catch (e) { setStatus(`library: ${e.message}`); }
}

async function searchLibrary() {
  const p = new URLSearchParams({ q: $("#lib-q").value, limit: "30" });
  for (const k of ["project", "layer", "mood"]) if ($(`#lib-${k}`).value) p.set(k, $(`#lib-${k}`).value);
  try {
    const res = await api(`/api/library?${p}`);
    $("#lib-count").textContent = `(${res.count} clips)`;
    const ul = $("#lib-results"); ul.replaceChildren();
    for (const c of res.clips) {
      const li = document.createElement("li");
      li.className = "clip-row"; li.dataset.clip = c.id;
      li.innerHTML = `<div><b></b> <span class="muted"></span></div><audio controls preload="none"></audio>
        <button class="reuse" type="button">use in chat</button>`;
      li.querySelector("b").textContent = c.id;
      li.querySelector(".muted").textContent = [c.mood, c.section, c.layer, c.project,
        c.duration_s ? `${Number(c.duration_s).toFixed(1)} s` : ""].filter(Boolean).join(" · ");
      li.querySelector("audio").src = c.audio;
      li.querySelector(".reuse").addEventListener("click", () => {
        $("#prompt").value = `use ${c.id} `; $("#prompt").focus();
      });
      ul.append(li);
    }
  } catch (e) { setStatus(`library: ${e.message}`); }
}

// -- wiring -----------------------------------------------------------------------------------------
$("#send-form").addEventListener("submit", (e) => {
  e.preventDefault(); const text = $("#prompt").value; $("#prompt").value = ""; send(text);
});
$("#approve-yes").addEventListener("click", () => send("y"));
$("#approve-no").addEventListener("click", () => send("n"));
$("#new-session").addEventListener("click", () => openSession(true));
$("#lib-form").addEventListener("submit", (e) => { e.preventDefault(); searchLibrary(); });
openSession(false).then(() => { loadFacets(); searchLibrary(); });
