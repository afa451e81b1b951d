// FIM templates: the family and its token ids come from the model's tokenizer (config fields first, then known names).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ModelFolderError } from '../errors.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir } from '../testing/fixtures.js';
import { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { fimTemplateFor } from './FimTemplate.js';

const dir = fixtureDir('tiny-llama');
const tokenizerJson = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as unknown;
const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;

function tokenizerWith(edit: (config: Record<string, unknown>) => void): SpliceTokenizer {
  const config = structuredClone(tokenizerConfig);
  edit(config);
  return new SpliceTokenizer(tokenizerJson, config);
}

function withoutFimFields(config: Record<string, unknown>): void {
  delete config.fim_prefix_token;
  delete config.fim_suffix_token;
  delete config.fim_middle_token;
}

describe('fimTemplateFor', () => {
  const tok = readModelFolder(dir).tokenizer;
  const id = (t: string) => {
    const v = tok.idOf(t);
    assert.ok(v !== undefined, `${t} must be in the fixture vocab`);
    return v;
  };

  it('takes the FIM tokens from tokenizer_config.json fields (family "tokenizer_config")', () => {
    assert.equal(fimTemplateFor(tok).family, 'tokenizer_config');
  });

  it('builds [prefix-token, ...prefix, suffix-token, ...suffix, middle-token]', () => {
    const fim = fimTemplateFor(tok);
    const prefix = tok.encode('def add(a, b):\n    return ');
    const suffix = tok.encode('\n\nprint(add(1, 2))\n');
    assert.deepEqual(fim.build(prefix, suffix), [id('<|fim_prefix|>'), ...prefix, id('<|fim_suffix|>'), ...suffix, id('<|fim_middle|>')]);
    assert.deepEqual(fim.build([], []), [id('<|fim_prefix|>'), id('<|fim_suffix|>'), id('<|fim_middle|>')]);
  });

  it('stops on end of text, the FIM pad and the FIM tokens, but not on other specials', () => {
    const stops = new Set(fimTemplateFor(tok).stopTokenIds);
    for (const t of ['<|endoftext|>', '<|fim_pad|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>']) assert.ok(stops.has(id(t)), `${t} must stop`);
    assert.ok(!stops.has(id('<|tool|>')), '<|tool|> is not a stop token');
    assert.ok(!stops.has(tok.encode('x')[0]!), 'ordinary text tokens are not stops');
  });

  it('falls back to the known "qwen" family by token names when tokenizer_config.json has no fim_* fields', () => {
    const bare = tokenizerWith(withoutFimFields);
    const fim = fimTemplateFor(bare);
    assert.equal(fim.family, 'qwen');
    assert.deepEqual(fim.build([1, 2], [3]), [id('<|fim_prefix|>'), 1, 2, id('<|fim_suffix|>'), 3, id('<|fim_middle|>')]);
    assert.ok(fim.stopTokenIds.includes(id('<|endoftext|>')));
  });

  it('is plain left-to-right completion ("none") when neither the fields nor known FIM tokens exist', () => {
    const json = structuredClone(tokenizerJson) as { added_tokens: { content: string }[] };
    json.added_tokens = json.added_tokens.filter((t) => !t.content.startsWith('<|fim_'));
    const config = structuredClone(tokenizerConfig);
    withoutFimFields(config);
    config.pad_token = null;
    const fim = fimTemplateFor(new SpliceTokenizer(json, config));
    assert.equal(fim.family, 'none');
    assert.deepEqual(fim.build([4, 5], [6, 7]), [4, 5], 'without FIM tokens the suffix cannot be used');
    assert.deepEqual(fim.stopTokenIds, [id('<|endoftext|>')]);
  });

  it('refuses a tokenizer_config.json that names a FIM token missing from the vocab, naming fim_prefix_token', () => {
    const bad = tokenizerWith((c) => (c.fim_prefix_token = '<|no_such_token|>'));
    assert.throws(
      () => fimTemplateFor(bad),
      (err: unknown) => {
        assert.ok(err instanceof ModelFolderError);
        assert.equal(err.field, 'fim_prefix_token');
        assert.match(err.message, /tokenizer_config\.json: field "fim_prefix_token" names "<\|no_such_token\|>", which tokenizer\.json does not have/);
        return true;
      },
    );
  });

  it('accepts FIM tokens written as AddedToken objects', () => {
    const t = tokenizerWith((c) => (c.fim_middle_token = { content: '<|fim_middle|>', special: true }));
    const fim = fimTemplateFor(t);
    assert.equal(fim.family, 'tokenizer_config');
    assert.equal(fim.build([], []).at(-1), id('<|fim_middle|>'));
  });
});
