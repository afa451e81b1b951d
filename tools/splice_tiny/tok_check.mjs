#!/usr/bin/env node
// Compares token ids from the Python encoder (tools/splice_tiny/common.py) with
// @huggingface/tokenizers, the library the runtime loads tokenizer.json with.
// Usage: node tools/splice_tiny/tok_check.mjs MODEL_DIR INPUT.json   (INPUT: {"texts":[..],"ids":[[..]..]})
// Prints one JSON line: files, files_mismatched, tokens, first mismatch (if any), special ids, roundtrip.
import fs from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

const [dir, input] = process.argv.slice(2);
const tj = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
const tc = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
const tok = new Tokenizer(tj, tc);
const { texts, ids } = JSON.parse(fs.readFileSync(input, "utf8"));
let mismatched = 0, tokens = 0, first = null, roundtripFail = 0;
texts.forEach((t, k) => {
  const got = tok.encode(t, { add_special_tokens: false }).ids;
  tokens += got.length;
  const want = ids[k];
  if (got.length !== want.length || got.some((x, i) => x !== want[i])) {
    mismatched++;
    if (!first) {
      let i = 0;
      while (i < got.length && got[i] === want[i]) i++;
      first = { file: k, at: i, node: got.slice(i, i + 5), python: want.slice(i, i + 5), text: tok.decode(got.slice(Math.max(0, i - 3), i + 5)) };
    }
  }
  if (tok.decode(got, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) !== t) roundtripFail++;
});
const specials = {};
for (const [id, t] of tok.get_added_tokens_decoder()) specials[t.content] = id;
console.log(JSON.stringify({ files: texts.length, files_mismatched: mismatched, tokens, roundtrip_failures: roundtripFail, first_mismatch: first, specials }));
