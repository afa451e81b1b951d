"""Shared paths, constants, tokenizer encoding and model construction for splice-tiny.

Everything model-shaped is imported from tools/make_fixture_models.py (the
generator of the runtime's fixtures), so splice-tiny and the fixtures share one
Llama implementation, one tokenizer.json writer and one ONNX exporter.
"""

import json
import os
import re
import sys
from pathlib import Path

sys.path.append("/usr/lib/python3/dist-packages")  # Debian's torch/onnx/jedi when run via another python3

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(REPO_ROOT / "tools"))

import make_fixture_models as mfm  # noqa: E402

CACHE = HERE / "cache"  # npm tarballs (gitignored)
WORK = Path(os.environ.get("SPLICE_TINY_WORK", HERE / "work"))  # corpus, tokens, checkpoints, logs (gitignored)
MODEL_DIR = Path(os.environ.get("SPLICE_TINY_OUT", REPO_ROOT / "runtime" / "models" / "splice-tiny"))
MANIFEST = HERE / "manifest.json"
EVALS = REPO_ROOT / "evals"
NODE_TS = HERE / ".node"  # `npm install --prefix tools/splice_tiny/.node typescript@5.9` (gitignored)

SEED = 20240611
SPECIAL_TOKENS = mfm.SPECIAL_TOKENS  # <|endoftext|> <|fim_prefix|> <|fim_middle|> <|fim_suffix|> <|fim_pad|> <|tool|>
VOCAB_SIZE = 8192  # 256 bytes + merges + 6 specials
MARK_CHAR = "\ue000"  # private-use sentinel standing for <|tool|> inside marked training text

# Model: Llama (RoPE half-split, RMSNorm, SwiGLU, GQA 4 query heads / 2 KV heads).
MODEL_SPEC = dict(
    mfm.BASE_SPEC,
    hidden_size=256,
    intermediate_size=704,
    num_attention_heads=4,
    num_key_value_heads=2,
    num_hidden_layers=4,
    head_dim=64,
    rope_theta=10000.0,
    max_position_embeddings=2048,
    rms_norm_eps=1e-5,
    vocab_size=VOCAB_SIZE,
    seed=SEED,
)


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_json(path, obj):
    mfm.write_json(Path(path), obj)


def update_manifest(section, value):
    """Each stage writes its own section of tools/splice_tiny/manifest.json."""
    data = read_json(MANIFEST) if MANIFEST.exists() else {}
    data[section] = value
    write_json(MANIFEST, data)


def set_threads(n=2):
    import torch

    torch.set_num_threads(n)
    return torch.get_num_threads()


# ----------------------------------------------------------------------------
# Tokenizer (encoding side; training lives in bpe.py)
# ----------------------------------------------------------------------------

GPT2_SPLIT = mfm.GPT2_SPLIT
B2U = mfm.bytes_to_unicode()


class Encoder:
    """Byte-level BPE encoder equivalent to the HF tokenizer.json we write (ASCII-exact; the
    pre-split is Python-`re`'s approximation of the GPT-2 regex, see make_fixture_models)."""

    def __init__(self, tokenizer_json):
        model = tokenizer_json["model"]
        self.vocab = model["vocab"]
        self.ranks = {tuple(m.split(" ")): i for i, m in enumerate(model["merges"])}
        self.special = {t["content"]: t["id"] for t in tokenizer_json["added_tokens"]}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        for t, i in self.special.items():
            self.id_to_token[i] = t
        self.u2b = {u: b for b, u in B2U.items()}
        self.cache = {}
        self.eot = self.special["<|endoftext|>"]
        self.fim_prefix = self.special["<|fim_prefix|>"]
        self.fim_middle = self.special["<|fim_middle|>"]
        self.fim_suffix = self.special["<|fim_suffix|>"]
        self.fim_pad = self.special["<|fim_pad|>"]
        self.tool = self.special["<|tool|>"]
        self.vocab_size = len(self.vocab) + len(self.special)

    @classmethod
    def load(cls, model_dir=MODEL_DIR):
        return cls(read_json(Path(model_dir) / "tokenizer.json"))

    def _bpe(self, word):
        syms = [B2U[b] for b in word.encode("utf-8")]
        ranks = self.ranks
        while len(syms) > 1:
            best, best_rank = None, None
            for pair in zip(syms, syms[1:]):
                r = ranks.get(pair)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = pair, r
            if best is None:
                break
            a, b = best
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        return [self.vocab[s] for s in syms]

    def encode(self, text):
        """Plain text -> ids (MARK_CHAR, if present, becomes <|tool|>)."""
        if MARK_CHAR in text:
            ids = []
            for k, part in enumerate(text.split(MARK_CHAR)):
                if k:
                    ids.append(self.tool)
                ids.extend(self.encode(part))
            return ids
        ids = []
        cache = self.cache
        for w in GPT2_SPLIT.findall(text):
            t = cache.get(w)
            if t is None:
                t = self._bpe(w)
                if len(cache) < 2_000_000:
                    cache[w] = t
            ids.extend(t)
        return ids

    def decode_bytes(self, ids):
        out = bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if i in self.special.values():
                out += tok.encode("utf-8")
            else:
                out += bytes(self.u2b[c] for c in tok)
        return bytes(out)

    def decode(self, ids):
        return self.decode_bytes(ids).decode("utf-8", errors="replace")


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def build_model(spec=MODEL_SPEC):
    """TinyDecoder from make_fixture_models with a training init (std 0.02, scaled residual outs)."""
    import math

    import torch

    torch.manual_seed(spec["seed"])
    model = mfm.TinyDecoder(spec)
    std = 0.02
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                p.fill_(1.0)
            elif name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                p.normal_(0.0, std / math.sqrt(2 * spec["num_hidden_layers"]))
            elif name.endswith(".bias"):
                p.zero_()
            else:
                p.normal_(0.0, std)
    return model


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def empty_past(spec, batch=1):
    import torch

    return [
        torch.zeros(batch, spec["num_key_value_heads"], 0, spec["head_dim"])
        for _ in range(2 * spec["num_hidden_layers"])
    ]


def forward_logits(model, ids, spec=None):
    """Full causal forward of ids [b, s] (positions 0..s-1, no past) -> logits [b, s, V]."""
    import torch

    spec = spec or model.spec
    b, s = ids.shape
    mask = torch.ones(b, s, dtype=torch.int64)
    pos = torch.arange(s, dtype=torch.int64)[None].expand(b, s)
    return model(ids, mask, pos, *empty_past(spec, b))[0]


def fast_forward(model, ids):
    """Training/scoring forward of ids [b, s] at positions 0..s-1 with no cache: the same
    function as TinyDecoder.forward (max abs diff ~1e-6, checked in train.py), written for
    speed (no cache concat, no GQA copies, RoPE scale folded into q, one causal mask)."""
    import math

    import torch

    spec = model.spec
    assert spec["partial_rotary_factor"] == 1.0 and not spec["rope_interleaved"]
    b, s = ids.shape
    h, kv, hd = spec["num_attention_heads"], spec["num_key_value_heads"], spec["head_dim"]
    rep = h // kv
    half = hd // 2
    x = model.embed_tokens(ids)
    freqs = torch.arange(s, dtype=torch.float32)[:, None] * model.inv_freq[None, :]
    cos = torch.cos(freqs).repeat(1, 2)
    sin = torch.sin(freqs).repeat(1, 2)
    mask = torch.full((s, s), float("-inf")).triu(1)
    scale = 1.0 / math.sqrt(hd)

    def rope(t):
        return t * cos + torch.cat((-t[..., half:], t[..., :half]), -1) * sin

    for layer in model.layers:
        a = layer.self_attn
        y = layer.input_layernorm(x)
        q = rope(a.q_proj(y).view(b, s, h, hd).transpose(1, 2)) * scale
        k = rope(a.k_proj(y).view(b, s, kv, hd).transpose(1, 2))
        v = a.v_proj(y).view(b, s, kv, hd).transpose(1, 2)
        att = torch.matmul(q.reshape(b, kv, rep * s, hd), k.transpose(2, 3)).view(b, kv, rep, s, s) + mask
        att = torch.softmax(att, dim=-1).view(b, kv, rep * s, s)
        o = torch.matmul(att, v).view(b, h, s, hd).transpose(1, 2).reshape(b, s, h * hd)
        x = x + a.o_proj(o)
        x = x + layer.mlp(layer.post_attention_layernorm(x))
    return model.lm_head(model.norm(x))


def load_checkpoint(path, spec=None):
    import torch

    ck = torch.load(path, map_location="cpu")
    spec = ck.get("spec", spec or MODEL_SPEC)
    model = mfm.TinyDecoder(spec)
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def config_json(spec, eot_id, extra=None):
    cfg = mfm.config_json(spec, eot_id)
    cfg.pop("splice_fixture", None)
    cfg["splice_model"] = extra or {}
    return cfg


def tokenizer_files(vocab, merges, max_len):
    return mfm.tokenizer_json(vocab, merges), mfm.tokenizer_config_json(vocab, max_len)


def strip_trailing(s):
    return re.sub(r"\s+$", "", s)
