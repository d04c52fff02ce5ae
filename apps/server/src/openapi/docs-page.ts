// GET /docs: a self-contained reference page (no CDN: deployments may have no outbound
// network). It renders /openapi.json and offers a "try it" form; for T3 calls in plain mode it
// can add `t` and `s` itself. WebCrypto has no md5, so crypto-js's `core` and `md5` modules
// (UMD files, which define a global `CryptoJS` in a plain script) are inlined from the package.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** This module's path, in the ESM build and the CommonJS one alike. */
// (esbuild's CommonJS output leaves `import.meta` empty; there `__filename` is the module's own.)
const here = import.meta.url ? fileURLToPath(import.meta.url) : __filename;

let cryptoJs: string | undefined;
function cryptoJsMd5Source(): string {
  if (cryptoJs === undefined) {
    const require = createRequire(here);
    cryptoJs = ['crypto-js/core.js', 'crypto-js/md5.js']
      .map((m) => readFileSync(require.resolve(m), 'utf8'))
      .join('\n')
      // Never end the inline <script> early.
      .replaceAll('</', '<\\/');
  }
  return cryptoJs;
}

const STYLE = `
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:24px;padding:24px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin-bottom:12px}
h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 4px}
.m{display:inline-block;min-width:44px;font-weight:700;color:#fff;border-radius:3px;padding:0 6px;margin-right:6px;text-align:center}
.post{background:#2e7d32}.get{background:#1565c0}
pre{background:#f3f3f3;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all}
label{display:block;margin-top:8px;font-weight:600}input,select,textarea{width:100%;box-sizing:border-box;font:13px monospace}
textarea{min-height:90px}button{margin-top:10px;padding:6px 16px;cursor:pointer}
details summary{cursor:pointer;color:#1f3b57}
`;

const SCRIPT = `
// md5 over UTF-8 for the T3 signature helper: crypto-js's (inlined above), fed TextEncoder's bytes.
function md5(str){
  const b=new TextEncoder().encode(str);const w=[];
  for(let i=0;i<b.length;i++)w[i>>2]|=b[i]<<(24-(i%4)*8);
  return CryptoJS.MD5(CryptoJS.lib.WordArray.create(w,b.length)).toString();
}
const el=(tag,attrs={},...kids)=>{const e=document.createElement(tag);for(const[k,v]of Object.entries(attrs))e.setAttribute(k,v);for(const k of kids)e.append(k);return e};
const resolveRef=(spec,s)=>s&&s.$ref?spec.components.schemas[s.$ref.split('/').pop()]:s;
const union=(spec,s)=>{s=resolveRef(spec,s);const branches=s&&(s.oneOf||s.anyOf);return branches?branches.map(x=>union(spec,x)):s};
async function main(){
  // Next to this page, whether it was opened as /docs or /docs/ (or under a proxy's prefix).
  const spec=await (await fetch(location.pathname.replace(/docs\\/?$/,'openapi.json'))).json();
  document.getElementById('title').textContent=spec.info.title+' '+spec.info.version;
  document.getElementById('intro').textContent=spec.info.description;
  const list=document.getElementById('paths');const pick=document.getElementById('op');
  for(const[path,item]of Object.entries(spec.paths)){
    for(const[method,op]of Object.entries(item)){
      const sec=el('section',{},el('h2',{},el('span',{class:'m '+method},method.toUpperCase()),path+' — '+(op.summary||'')));
      if(op.description)sec.append(el('pre',{},op.description));
      for(const req of op.security||[])for(const name of Object.keys(req))sec.append(el('div',{},'header '+name+' (required): '+(spec.components.securitySchemes[name].description||'')));
      for(const p of op.parameters||[])sec.append(el('div',{},p.in+' '+p.name+(p.required?' (required)':'')+': '+(p.description||'')));
      const body=op.requestBody&&Object.values(op.requestBody.content)[0].schema;
      if(body){const d=el('details',{},el('summary',{},'request schema'));d.append(el('pre',{},JSON.stringify(union(spec,body),null,2)));sec.append(d)}
      const ok=op.responses&&op.responses['200'];
      if(ok&&ok.content){const s=Object.values(ok.content)[0].schema;const d=el('details',{},el('summary',{},'200 response schema'));d.append(el('pre',{},JSON.stringify(union(spec,s),null,2)));sec.append(d)}
      list.append(sec);
      pick.append(el('option',{value:method+' '+path},method.toUpperCase()+' '+path));
    }
  }
  pick.onchange=()=>{const[m,p]=pick.value.split(' ');document.getElementById('method').value=m.toUpperCase();document.getElementById('path').value=p;
    document.getElementById('ctype').value=p.startsWith('/api/')?'application/json':'application/x-www-form-urlencoded'};
  pick.onchange();
}
async function send(){
  const method=document.getElementById('method').value;const path=document.getElementById('path').value;
  const ctype=document.getElementById('ctype').value;let body=document.getElementById('body').value;
  let headers={};try{headers=JSON.parse(document.getElementById('headers').value||'{}')}catch(e){return show('headers: '+e.message)}
  const appKey=document.getElementById('appkey').value;
  if(ctype==='application/x-www-form-urlencoded'){
    // One "name=value" per line, in the order to send; t and s are appended when an APPKEY is given.
    const fields=body.split('\\n').map(l=>l.trim()).filter(Boolean).map(l=>{const i=l.indexOf('=');return i<0?[l,'']:[l.slice(0,i),l.slice(i+1)]});
    if(appKey){fields.push(['t',String(Math.floor(Date.now()/1000))]);const text=fields.map(([k,v])=>k+'='+v+'&').join('')+appKey;fields.push(['s',md5(text)])}
    body=fields.map(([k,v])=>encodeURIComponent(k)+'='+encodeURIComponent(v)).join('&');
  }
  const init={method,headers:{...headers}};
  if(method!=='GET'){init.headers['Content-Type']=ctype;init.body=body}
  try{const r=await fetch(path,init);const text=await r.text();let pretty=text;try{pretty=JSON.stringify(JSON.parse(text),null,2)}catch{}
    show('HTTP '+r.status+(r.headers.get('retry-after')?' (Retry-After '+r.headers.get('retry-after')+')':'')+'\\n\\n'+pretty)}
  catch(e){show(String(e))}
}
function show(t){document.getElementById('out').textContent=t}
window.addEventListener('DOMContentLoaded',()=>{document.getElementById('send').onclick=send;main().catch(e=>show('cannot load openapi.json: '+e))});
`;

export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kami Verify API</title><style>${STYLE}</style></head>
<body><header><h1 id="title">Kami Verify API</h1></header>
<main><div><p id="intro"></p><div id="paths"></div></div>
<div><section><h2>Try it</h2>
<label for="op">Operation</label><select id="op"></select>
<label for="method">Method</label><input id="method" value="POST">
<label for="path">Path (replace {callCode} with a 调用码)</label><input id="path">
<label for="ctype">Content-Type</label><select id="ctype"><option>application/x-www-form-urlencoded</option><option>application/json</option></select>
<label for="headers">Headers (JSON, e.g. {"askKey":"…","apiUserToken":"…"})</label><textarea id="headers">{}</textarea>
<label for="body">Body (form: one name=value per line; JSON otherwise)</label><textarea id="body">kami=
imei=</textarea>
<label for="appkey">APPKEY (plain-mode T3 only: adds t and s; stays in this page)</label><input id="appkey" type="password" autocomplete="off">
<button id="send">Send</button><pre id="out"></pre></section></div></main>
<script>${cryptoJsMd5Source()}</script><script>${SCRIPT}</script></body></html>`;
}
