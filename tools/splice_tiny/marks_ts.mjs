#!/usr/bin/env node
// Stage 3b: ToolGen offline marks for TypeScript/JavaScript training files, with the
// TypeScript language service (typescript@5.9 installed into tools/splice_tiny/.node;
// the repository's own TypeScript 7 has no JS language-service API).
//
// One language service per npm package, over all of that package's corpus files (so
// imports between them resolve; allowJs, no type errors needed). For every property
// access `obj.name` / `obj?.name` in a training file, ask getCompletionsAtPosition right
// after the dot; if the true member is among the entries (excluding kind "warning":
// the plain identifier list TS offers in JS files when it knows nothing), the
// character offset (in Unicode code points, like Python str indices) gets a mark.
//
// Cost is bounded: packages, then files, in a seeded random order; no new file is
// started after --budget seconds; files over 60 KB are skipped. Only fully processed
// files count as marked.
// Writes work/marks_ts.jsonl and work/marks_ts_stats.json.
// Usage: node tools/splice_tiny/marks_ts.mjs [--budget SECONDS]
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORK = process.env.SPLICE_TINY_WORK || path.join(HERE, "work");
const require = createRequire(path.join(HERE, ".node", "package.json"));
const ts = require("typescript");
const SEED = 20240611;
const MAX_FILE_BYTES = 60_000;

let budget = 300;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) if (argv[i] === "--budget") budget = Number(argv[++i]);

const key = (s) => crypto.createHash("sha256").update(`${SEED}:${s}`).digest("hex");

const rows = fs.readFileSync(path.join(WORK, "corpus.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
  .filter((r) => r.lang !== "python");
const bySource = new Map();
for (const r of rows) {
  if (!bySource.has(r.source)) bySource.set(r.source, []);
  bySource.get(r.source).push(r);
}
const sources = [...bySource.keys()].sort((a, b) => (key(a) < key(b) ? -1 : 1));

function codePointOffsets(text, utf16Offsets) {
  // utf16Offsets ascending -> code point offsets
  const out = [];
  let cp = 0, u = 0, k = 0;
  while (k < utf16Offsets.length) {
    if (u === utf16Offsets[k]) { out.push(cp); k++; continue; }
    const c = text.codePointAt(u);
    u += c > 0xffff ? 2 : 1;
    cp++;
  }
  return out;
}

const t0 = Date.now();
const stats = {
  tool: `typescript ${ts.version} language service`, budget_s: budget, max_file_bytes: MAX_FILE_BYTES,
  files_visited: 0, files_marked: 0, files_skipped_size: 0, member_accesses_checked: 0, marks: 0,
  bytes_marked_files: 0, by_language: {},
};
const out = fs.openSync(path.join(WORK, "marks_ts.jsonl"), "w");
const elapsed = () => (Date.now() - t0) / 1000;

// Visit packages round-robin (seeded order inside each), so the budget spreads over packages.
const queues = sources.map((s) => bySource.get(s).filter((r) => r.split === "train").sort((a, b) => (key(a.id) < key(b.id) ? -1 : 1)));
const services = new Map();
function serviceFor(source) {
  if (services.has(source)) return services.get(source);
  const files = new Map();
  for (const r of bySource.get(source)) files.set(`/${source}/${r.path}`, r.text);
  const host = {
    getScriptFileNames: () => [...files.keys()],
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => {
      if (files.has(f)) return ts.ScriptSnapshot.fromString(files.get(f));
      if (fs.existsSync(f)) return ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8"));
      return undefined;
    },
    getCurrentDirectory: () => `/${source}`,
    getCompilationSettings: () => ({
      allowJs: true, checkJs: false, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, strict: true, skipLibCheck: true, types: [],
    }),
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => files.has(f) || fs.existsSync(f),
    readFile: (f) => files.get(f) ?? (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined),
    readDirectory: ts.sys.readDirectory,
    directoryExists: (d) => d.startsWith(`/${source}`) || ts.sys.directoryExists(d),
    getDirectories: ts.sys.getDirectories,
  };
  const svc = ts.createLanguageService(host, ts.createDocumentRegistry());
  services.set(source, svc);
  return svc;
}

function memberAccesses(sf) {
  const found = [];
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      found.push({ pos: node.name.getStart(sf), name: node.name.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.sort((a, b) => a.pos - b.pos);
}

let progressed = true;
while (progressed && elapsed() < budget) {
  progressed = false;
  for (let q = 0; q < queues.length && elapsed() < budget; q++) {
    const r = queues[q].shift();
    if (!r) continue;
    progressed = true;
    stats.files_visited++;
    if (Buffer.byteLength(r.text) > MAX_FILE_BYTES) { stats.files_skipped_size++; continue; }
    const svc = serviceFor(r.source);
    const fname = `/${r.source}/${r.path}`;
    const sf = svc.getProgram().getSourceFile(fname);
    if (!sf) continue;
    const accesses = memberAccesses(sf);
    const marks = [];
    for (const a of accesses) {
      let res;
      try {
        res = svc.getCompletionsAtPosition(fname, a.pos, { includeCompletionsWithInsertText: true });
      } catch {
        res = undefined;
      }
      if (res && res.entries.some((e) => e.name === a.name && e.kind !== "warning")) marks.push(a.pos);
    }
    const offsets = codePointOffsets(r.text, marks);
    fs.writeSync(out, JSON.stringify({ id: r.id, offsets, checked: accesses.length }) + "\n");
    stats.files_marked++;
    stats.member_accesses_checked += accesses.length;
    stats.marks += offsets.length;
    stats.bytes_marked_files += Buffer.byteLength(r.text);
    const bl = (stats.by_language[r.lang] ??= { files: 0, checked: 0, marks: 0 });
    bl.files++;
    bl.checked += accesses.length;
    bl.marks += offsets.length;
  }
}
fs.closeSync(out);
stats.seconds = Math.round(elapsed() * 10) / 10;
fs.writeFileSync(path.join(WORK, "marks_ts_stats.json"), JSON.stringify(stats, null, 2));
console.log(JSON.stringify(stats));
