'use strict';
// yusuan serve: the page. Plain JavaScript, no library, no network beyond this server.

const $ = (id) => document.getElementById(id);
const WORKBOOK = /\.(xlsx|xlsm|xls|xlsb|ods)$/i;
const SEVERITY = { error: ['错误', 0], warning: ['警告', 1], info: ['提示', 2] };
const entries = [];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function extras() {
  const out = {};
  for (const key of ['narrative', 'previous']) {
    const f = $(key).files[0];
    if (f) out[key] = f;
  }
  return out;
}

function form(entry) {
  const fd = new FormData();
  fd.append('file', entry.file, entry.file.name);
  for (const [key, f] of Object.entries(entry.extras)) fd.append(key, f, f.name);
  return fd;
}

function addFiles(list) {
  const files = Array.from(list).filter((f) => WORKBOOK.test(f.name));
  const single = files.length === 1;
  for (const file of files) {
    const entry = { file, extras: single ? extras() : {}, sheets: null };
    entries.push(entry);
    card(entry);
    check(entry);
  }
  $('batch').hidden = entries.length < 2;
}

function card(entry) {
  const c = el('article', 'file');
  const head = el('div', 'head');
  head.append(el('h2', 'name', entry.file.name));
  entry.badge = el('span', 'badge', '等待');
  head.append(entry.badge);
  c.append(head);
  const progress = el('div', 'progress');
  entry.bar = el('div', 'bar');
  progress.append(entry.bar);
  c.append(progress);
  entry.state = el('p', 'state', '等待上传');
  c.append(entry.state);
  entry.body = el('div', 'body');
  c.append(entry.body);
  entry.card = c;
  $('list').append(c);
}

function check(entry) {
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/check');
  xhr.upload.onprogress = (ev) => {
    if (ev.lengthComputable) entry.bar.style.width = `${(ev.loaded / ev.total) * 80}%`;
  };
  xhr.upload.onload = () => {
    entry.bar.style.width = '85%';
    entry.state.textContent = '检查中…';
  };
  xhr.onload = () => {
    entry.bar.classList.add('done');
    let body;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (_) {
      body = { error: '服务器返回了无法识别的内容' };
    }
    if (xhr.status === 200) showReport(entry, body);
    else showFailure(entry, body.error || `请求失败（${xhr.status}）`);
  };
  xhr.onerror = () => showFailure(entry, '无法连接本机的 yusuan 服务（是否已关闭？）');
  entry.state.textContent = '上传中…';
  xhr.send(form(entry));
}

function showFailure(entry, message) {
  entry.badge.textContent = '无法读取';
  entry.card.classList.add('unreadable');
  entry.state.textContent = message;
}

function statusOf(r) {
  if (r.error) return ['无法读取', 'unreadable'];
  if (r.counts.error > 0) return ['有错误', 'errors'];
  if (r.counts.warning > 0) return ['有警告', 'warnings'];
  return ['通过', 'passed'];
}

function rank(f) {
  return (SEVERITY[f.severity] || ['', 3])[1];
}

function showReport(entry, r) {
  entry.report = r;
  const [label, cls] = statusOf(r);
  entry.badge.textContent = label;
  entry.card.classList.add(cls);
  if (r.error) {
    entry.state.textContent = r.error;
    return;
  }
  const who = [r.department, r.year ? `${r.year}年` : ''].filter(Boolean).join(' ');
  entry.state.textContent = `${who}：错误 ${r.counts.error} 条，警告 ${r.counts.warning} 条，提示 ${r.counts.info} 条`;
  entry.body.replaceChildren(downloads(entry, r), findings(entry, r));
}

function findings(entry, r) {
  const box = el('div', 'findings');
  if (r.findings.length === 0) {
    box.append(el('p', 'clean', '未发现问题'));
    return box;
  }
  const groups = new Map();
  for (const f of [...r.findings].sort((a, b) => rank(a) - rank(b))) {
    const key = f.sheet || '工作簿';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  const ordered = [...groups.entries()].sort((a, b) => rank(a[1][0]) - rank(b[1][0]));
  for (const [sheet, list] of ordered) {
    box.append(el('h3', 'table', sheet));
    const ul = el('ul');
    for (const f of list) {
      const li = el('li', `finding ${f.severity}`);
      li.append(el('span', 'sev', (SEVERITY[f.severity] || [f.severity])[0]));
      li.append(el('span', 'where', f.location || '（工作簿）'));
      li.append(el('span', 'rule', f.rule));
      li.append(el('span', 'msg', f.message));
      if (f.sheet && f.cell) {
        li.classList.add('clickable');
        li.title = '点击查看单元格';
        li.addEventListener('click', () => showGrid(entry, f));
      }
      ul.append(li);
    }
    box.append(ul);
  }
  return box;
}

function downloads(entry, r) {
  const bar = el('div', 'downloads');
  const add = (label, url) => {
    const b = el('button', 'download', label);
    b.type = 'button';
    b.addEventListener('click', () => fetchDownload(entry, url, b));
    bar.append(b);
  };
  if (r.counts.error === 0) add('公开表', '/api/convert');
  if (r.findings.length > 0) {
    add('问题清单', '/api/output/report');
    if (r.findings.some((f) => f.cell)) add('标注副本', '/api/output/annotated');
  }
  add('情况说明（Word）', '/api/output/narrative-docx');
  add('情况说明（Markdown）', '/api/output/narrative-md');
  return bar;
}

function fileName(response, fallback) {
  const cd = response.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
  return m ? decodeURIComponent(m[1]) : fallback;
}

function save(blob, name) {
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

async function fetchDownload(entry, url, button) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = '生成中…';
  try {
    const resp = await fetch(url, { method: 'POST', body: form(entry) });
    if (!resp.ok) {
      const j = await resp.json().catch(() => ({ error: `请求失败（${resp.status}）` }));
      entry.state.textContent = j.error;
      return;
    }
    save(await resp.blob(), fileName(resp, `${label}.xlsx`));
  } catch (_) {
    entry.state.textContent = '无法连接本机的 yusuan 服务';
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

// ---------------------------------------------------------------- the grid view

function colNumber(letters) {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function colLetters(n) {
  let s = '';
  for (n += 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function parseA1(a1) {
  const m = /^([A-Z]+)(\d+)$/.exec(a1.trim());
  return m ? [Number(m[2]) - 1, colNumber(m[1])] : null;
}

// `表3!C5:C9`, `表3!C42,F42`, `C7,C9；表1!B5`: the cells of `sheet` among them.
function relatedCells(related, sheet) {
  const out = new Set();
  for (const text of related || []) {
    for (let part of text.split('；')) {
      let where = sheet;
      const bang = part.lastIndexOf('!');
      if (bang >= 0) {
        where = part.slice(0, bang);
        part = part.slice(bang + 1);
      }
      if (where !== sheet) continue;
      for (const item of part.split(/[,，]/)) {
        const [a, b] = item.split(' ')[0].split(':');
        const p = parseA1(a || '');
        const q = parseA1(b || a || '');
        if (!p || !q) continue;
        for (let r = Math.min(p[0], q[0]); r <= Math.max(p[0], q[0]); r++) {
          for (let c = Math.min(p[1], q[1]); c <= Math.max(p[1], q[1]); c++) out.add(`${r},${c}`);
        }
      }
    }
  }
  return out;
}

async function showGrid(entry, f) {
  if (!entry.sheets) {
    const resp = await fetch('/api/sheet', { method: 'POST', body: form(entry) });
    if (!resp.ok) {
      const j = await resp.json().catch(() => ({ error: '无法读取工作表' }));
      entry.state.textContent = j.error;
      return;
    }
    entry.sheets = await resp.json();
  }
  const sheet = entry.sheets.sheets.find((s) => s.name === f.sheet);
  if (!sheet) return;
  const hit = parseA1(f.cell);
  const related = relatedCells(f.related, f.sheet);
  const cells = new Map(sheet.cells.map(([r, c, t]) => [`${r},${c}`, t]));
  const table = el('table', 'sheet');
  const head = el('tr');
  head.append(el('th', 'corner', ''));
  for (let c = 0; c < sheet.cols; c++) head.append(el('th', 'col', colLetters(c)));
  table.append(head);
  let target = null;
  for (let r = 0; r < sheet.rows; r++) {
    const tr = el('tr');
    tr.append(el('th', 'row', String(r + 1)));
    for (let c = 0; c < sheet.cols; c++) {
      const td = el('td', '', cells.get(`${r},${c}`) || '');
      if (hit && hit[0] === r && hit[1] === c) {
        td.classList.add('cell-hit');
        target = td;
      } else if (related.has(`${r},${c}`)) {
        td.classList.add('cell-rel');
      }
      tr.append(td);
    }
    table.append(tr);
  }
  $('grid-title').textContent = `${entry.file.name} · ${f.sheet}!${f.cell}：${f.message}`;
  $('grid-body').replaceChildren(table);
  $('grid').hidden = false;
  if (target) target.scrollIntoView({ block: 'center', inline: 'center' });
}

// ---------------------------------------------------------------- several files

async function runBatch() {
  const status = $('batch-status');
  const fd = new FormData();
  for (const e of entries) fd.append('file', e.file, e.file.name);
  status.textContent = '批量处理中…';
  const resp = await fetch('/api/batch', { method: 'POST', body: fd });
  const j = await resp.json().catch(() => ({ error: '请求失败' }));
  if (!resp.ok) {
    status.textContent = j.error;
    return;
  }
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 500));
    const s = await (await fetch(`/api/jobs/${j.id}`)).json();
    if (s.status === 'running') continue;
    if (s.status === 'failed') {
      status.textContent = `批量处理失败：${s.error}`;
      return;
    }
    const sum = s.summary;
    status.textContent = `共 ${sum.files} 个文件：通过 ${sum.passed}，有警告 ${sum.warnings}，有错误 ${sum.errors}，无法读取 ${sum.unreadable}`;
    const a = el('a', 'zip', '下载 zip');
    a.href = `/api/jobs/${j.id}/zip`;
    a.download = 'yusuan-批量结果.zip';
    status.append(' ', a);
    a.click();
    return;
  }
}

// ---------------------------------------------------------------- wiring

$('files').addEventListener('change', (ev) => {
  addFiles(ev.target.files);
  ev.target.value = '';
});
const drop = $('drop');
drop.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  addFiles(ev.dataTransfer.files);
});
$('batch-run').addEventListener('click', runBatch);
for (const key of ['narrative', 'previous']) {
  $(key).addEventListener('change', (ev) => {
    const f = ev.target.files[0];
    $(`${key}-name`).textContent = f ? f.name : '未选择';
  });
}
$('grid-close').addEventListener('click', () => {
  $('grid').hidden = true;
});
