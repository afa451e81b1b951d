#!/usr/bin/python3
"""Generate the tiny random-weight decoder fixtures under runtime/models/fixtures/.

Each fixture is a complete Splice model folder (config.json, tokenizer.json,
tokenizer_config.json, onnx/model.onnx) small enough to commit (< 1 MB). The
weights are random (seeded), so the models produce meaningless but
deterministic, non-flat logits; they exist to exercise the runtime: KV-cache
plumbing, RoPE variants (theta, linear scaling, partial rotary as
partial_rotary_factor or GPT-NeoX's rotary_pct, interleaved pairs, llama3 and
yarn scaling), GQA, q/k/v biases, an fp16 KV cache, and the real families'
quirks: tokenizer.json normalizers and pre-tokenizers (Qwen2's NFC + Split,
DeepSeek-Coder's Split sequence, StarCoder2's Digits), external data
(onnx/model.onnx_data) and quantized graphs (onnx/model_q4.onnx with
com.microsoft MatMulNBits, onnx/model_int8.onnx with DequantizeLinear).

Run with Debian's interpreter, which has python3-torch and python3-onnx:

    /usr/bin/python3 tools/make_fixture_models.py [--out DIR] [--reference DIR]

The output is deterministic: the tokenizer is trained on a fixed, sorted
selection of /usr/lib/python3.11 sources with a fixed tie-break, and every
model is seeded. `--reference DIR` additionally writes PyTorch logits for a
fixed probe sequence (one JSON per fixture) that tools/check_fixture_models.mjs
can compare against the ONNX output.

ONNX graph contract (Optimum decoder-with-past naming):
  in : input_ids [b,s] i64, attention_mask [b,past+s] i64, position_ids [b,s] i64,
       past_key_values.{i}.key/.value [b,kv,past,hd] (f32, or f16 for fp16-kv)
  out: logits [b,s,vocab] f32, present.{i}.key/.value [b,kv,past+s,hd]
present = concat(past, new) on axis 2; keys carry RoPE applied at position_ids;
query i (cache row past+i) attends rows j <= past+i that attention_mask keeps.
"""

import argparse
import json
import math
import os
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.append("/usr/lib/python3/dist-packages")  # Debian's torch/onnx when run via another python3

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "runtime" / "models" / "fixtures"

# ----------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------

CORPUS_DIR = Path("/usr/lib/python3.11")
CORPUS_BYTES = 400_000
VOCAB_SIZE = 512
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|tool|>",
]
NUM_MERGES = VOCAB_SIZE - 256 - len(SPECIAL_TOKENS)

# GPT-2 pre-tokenization, written for Python's `re` (no \p{..}):
#   \p{L}            ~ [^\W\d_]      (word chars minus digits and underscore)
#   \p{N}            ~ \d
#   [^\s\p{L}\p{N}]  ~ (?:[^\s\w]|_)
# Always using this approximation (never the optional `regex` module) keeps the
# trained merges independent of what is installed. tokenizer.json declares the
# real ByteLevel/GPT-2 regex; merges learned on near-identical splits are valid.
GPT2_SPLIT = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def load_corpus(limit=CORPUS_BYTES):
    """Concatenate sorted top-level stdlib modules until `limit` bytes."""
    parts, total = [], 0
    for path in sorted(CORPUS_DIR.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        parts.append(text)
        total += len(text.encode("utf-8"))
        if total >= limit:
            break
    return "".join(parts)


def train_bpe(text, num_merges=NUM_MERGES):
    """Greedy byte-level BPE. Returns (vocab: token->id, merges: [(a, b)])."""
    b2u = bytes_to_unicode()
    words = Counter(GPT2_SPLIT.findall(text))
    # Each distinct pre-token as a list of byte symbols, with its frequency.
    seqs = [[b2u[b] for b in w.encode("utf-8")] for w in words]
    freqs = list(words.values())

    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for seq, f in zip(seqs, freqs):
            for a, b in zip(seq, seq[1:]):
                pairs[(a, b)] += f
        if not pairs:
            break
        # Highest count wins; ties broken by the pair itself (deterministic).
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        for k, seq in enumerate(seqs):
            if len(seq) < 2:
                continue
            out, i = [], 0
            while i < len(seq):
                if i + 1 < len(seq) and seq[i] == best[0] and seq[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(seq[i])
                    i += 1
            seqs[k] = out

    vocab = {}
    for b in range(256):
        vocab[b2u[b]] = b
    for a, b in merges:
        tok = a + b
        if tok not in vocab:
            vocab[tok] = len(vocab)
    return vocab, merges


def special_token_ids(vocab):
    base = len(vocab)
    return {tok: base + i for i, tok in enumerate(SPECIAL_TOKENS)}


# Pre-tokenizer regexes written like the real families' tokenizer.json (Rust/Oniguruma syntax, \\p{..} classes).
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
DEEPSEEK_SPLITS = [r"[\r\n]", r"\s?\p{L}+", r"\s?\p{P}+", r"[一-龥ࠀ-一가-퟿]+"]


def split(regex):
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


def byte_level(use_regex, trim_offsets=True):
    return {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": trim_offsets, "use_regex": use_regex}


def normalizer_and_pre_tokenizer(style):
    """The normalizer and pre-tokenizer a family's tokenizer.json declares (the merges stay the fixture's own).

    gpt2       : no normalizer, ByteLevel with its built-in GPT-2 regex
    qwen2      : NFC normalizer; Split on Qwen2's regex, then ByteLevel with use_regex false
    deepseek   : an empty normalizer Sequence; a Sequence of Split regexes and individual Digits, then ByteLevel
    starcoder2 : no normalizer; individual Digits, then ByteLevel with the GPT-2 regex
    """
    if style == "gpt2":
        return None, byte_level(True)
    if style == "qwen2":
        return {"type": "NFC"}, {"type": "Sequence", "pretokenizers": [split(QWEN2_SPLIT), byte_level(False, False)]}
    if style == "deepseek":
        pre = [split(r) for r in DEEPSEEK_SPLITS] + [{"type": "Digits", "individual_digits": True}, byte_level(False)]
        return {"type": "Sequence", "normalizers": []}, {"type": "Sequence", "pretokenizers": pre}
    if style == "starcoder2":
        return None, {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, byte_level(True)]}
    raise ValueError(f"unknown tokenizer style {style}")


def tokenizer_json(vocab, merges, style="gpt2"):
    specials = special_token_ids(vocab)
    normalizer, pre_tokenizer = normalizer_and_pre_tokenizer(style)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": tid,
                "content": tok,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for tok, tid in specials.items()
        ],
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }


def tokenizer_config_json(vocab, max_len):
    specials = special_token_ids(vocab)
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|endoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": None,
        "pad_token": "<|fim_pad|>",
        "model_max_length": max_len,
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "added_tokens_decoder": {
            str(tid): {
                "content": tok,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": True,
            }
            for tok, tid in specials.items()
        },
        "additional_special_tokens": SPECIAL_TOKENS[1:],
        "fim_prefix_token": "<|fim_prefix|>",
        "fim_suffix_token": "<|fim_suffix|>",
        "fim_middle_token": "<|fim_middle|>",
        "tool_token": "<|tool|>",
    }


# ----------------------------------------------------------------------------
# Fixture specifications and config.json
# ----------------------------------------------------------------------------

BASE_SPEC = dict(
    model_type="llama",
    hidden_size=64,
    intermediate_size=128,
    num_attention_heads=4,
    num_key_value_heads=2,
    num_hidden_layers=2,
    head_dim=16,
    rope_theta=10000.0,
    rope_scaling=None,
    partial_rotary_factor=1.0,
    rope_interleaved=False,
    kv_cache_dtype="float32",
    qkv_bias=False,
    max_position_embeddings=4096,
    rms_norm_eps=1e-6,
    tokenizer="gpt2",
    rotary_key="partial_rotary_factor",
    external_data=False,
    quantize=None,
)

FIXTURES = {
    "tiny-llama": dict(seed=1),
    "deepseek-style": dict(seed=2, rope_theta=100000.0, rope_scaling={"type": "linear", "factor": 4.0}, num_key_value_heads=4, tokenizer="deepseek"),
    "qwen2-style": dict(seed=3, model_type="qwen2", rope_theta=1000000.0, qkv_bias=True, tokenizer="qwen2"),
    "partial-rotary": dict(seed=4, partial_rotary_factor=0.5),
    "interleaved-rope": dict(seed=5, rope_interleaved=True),
    "fp16-kv": dict(seed=6, kv_cache_dtype="float16"),
    "starcoder2-style": dict(seed=7, model_type="starcoder2", rope_theta=999999.4420358813, qkv_bias=True, tokenizer="starcoder2"),
    # GPT-NeoX style: the rotated share is `rotary_pct`, the base `rotary_emb_base`.
    "rotary-pct": dict(seed=8, model_type="gpt_neox", partial_rotary_factor=0.25, rotary_key="rotary_pct"),
    # Llama 3.1 scaling; a short original context so the 8 pairs fall in all three bands (kept, blended, divided).
    "llama3-rope": dict(seed=9, rope_theta=500000.0, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    # YaRN as Qwen2.5 configs declare it; its attention factor scales cos/sin when keys are encoded.
    "yarn-rope": dict(seed=10, model_type="qwen2", qkv_bias=True, rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 256}),
    # The hub's layout for large models: onnx/model.onnx holds the graph, onnx/model.onnx_data the weights.
    "external-data": dict(seed=11, external_data=True),
    # Only quantized files, as the hub's onnx-community exports ship them: onnx/model_q4.onnx (MatMulNBits, 4 bits,
    # block 32, com.microsoft) and onnx/model_int8.onnx (int8 weights through DequantizeLinear).
    "quantized": dict(seed=12, quantize=("q4", "int8")),
}


def fixture_spec(name, vocab_size):
    spec = dict(BASE_SPEC)
    spec.update(FIXTURES[name])
    spec["vocab_size"] = vocab_size
    return spec


def config_json(spec, bos_eos_id):
    cfg = {
        "architectures": ["Qwen2ForCausalLM" if spec["model_type"] == "qwen2" else "LlamaForCausalLM"],
        "model_type": spec["model_type"],
        "hidden_size": spec["hidden_size"],
        "intermediate_size": spec["intermediate_size"],
        "num_attention_heads": spec["num_attention_heads"],
        "num_key_value_heads": spec["num_key_value_heads"],
        "num_hidden_layers": spec["num_hidden_layers"],
        "head_dim": spec["head_dim"],
        "vocab_size": spec["vocab_size"],
        "rope_theta": spec["rope_theta"],
        "rope_scaling": spec["rope_scaling"],
        spec["rotary_key"]: spec["partial_rotary_factor"],
        "max_position_embeddings": spec["max_position_embeddings"],
        "rms_norm_eps": spec["rms_norm_eps"],
        "hidden_act": "silu",
        "attention_bias": spec["qkv_bias"],
        "tie_word_embeddings": False,
        "rope_interleaved": spec["rope_interleaved"],
        "kv_cache_dtype": spec["kv_cache_dtype"],
        "bos_token_id": bos_eos_id,
        "eos_token_id": bos_eos_id,
        "torch_dtype": "float32",
        "splice_fixture": {"seed": spec["seed"], "random_weights": True},
    }
    if spec["rotary_key"] == "rotary_pct":  # GPT-NeoX names the base rotary_emb_base
        cfg["rotary_emb_base"] = cfg.pop("rope_theta")
    return cfg


# ----------------------------------------------------------------------------
# Model definition (written so that torch.onnx.export yields plain ops)
# ----------------------------------------------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = (x * x).mean(-1, keepdim=True)
        return x * torch.rsqrt(var + self.eps) * self.weight


def yarn_mscale(scale):
    return 1.0 if scale <= 1 else 0.1 * math.log(scale) + 1.0


def rope_inv_freq(spec):
    """Per-pair inverse frequencies (and the attention factor that scales cos/sin) for the spec's RoPE scaling."""
    rot = int(spec["head_dim"] * spec["partial_rotary_factor"])
    t = torch.arange(0, rot, 2, dtype=torch.float64)
    theta = spec["rope_theta"]
    inv = theta ** (-t / rot)
    sc = spec["rope_scaling"]
    kind = sc and (sc.get("rope_type") or sc.get("type"))
    attention = 1.0
    if kind == "linear":
        inv = inv / sc["factor"]
    elif kind == "llama3":
        old = sc["original_max_position_embeddings"]
        low, high, factor = sc["low_freq_factor"], sc["high_freq_factor"], sc["factor"]
        wavelen = 2 * math.pi / inv
        smooth = (old / wavelen - low) / (high - low)
        blended = (1 - smooth) * inv / factor + smooth * inv
        inv = torch.where(wavelen > old / low, inv / factor, torch.where(wavelen < old / high, inv, blended))
    elif kind == "yarn":
        factor, old = sc["factor"], sc["original_max_position_embeddings"]
        def corr(rotations):
            return rot * math.log(old / (rotations * 2 * math.pi)) / (2 * math.log(theta))
        lo, hi = max(math.floor(corr(32)), 0), min(math.ceil(corr(1)), rot - 1)
        hi = hi + 0.001 if lo == hi else hi
        ramp = ((torch.arange(rot // 2, dtype=torch.float64) - lo) / (hi - lo)).clamp(0, 1)
        inv = (inv / factor) * ramp + inv * (1 - ramp)
        attention = yarn_mscale(factor)
    elif kind:
        raise ValueError(f"fixture rope_scaling {kind} not modelled")
    return inv.to(torch.float32), rot, attention


def apply_rope(x, cos, sin, rot, head_dim, interleaved):
    """x [b,h,s,hd]; cos/sin [b,1,s,rot/2]. Rotates x[..., :rot], passes the rest."""
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    if interleaved:
        x1, x2 = x_rot[..., 0::2], x_rot[..., 1::2]
        o1 = x1 * cos - x2 * sin
        o2 = x2 * cos + x1 * sin
        out = torch.stack((o1, o2), dim=-1).flatten(-2)
    else:
        half = rot // 2
        x1, x2 = x_rot[..., :half], x_rot[..., half:]
        out = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    if rot < head_dim:
        out = torch.cat((out, x_pass), dim=-1)
    return out


class Attention(nn.Module):
    def __init__(self, spec):
        super().__init__()
        h, hd, kv = spec["num_attention_heads"], spec["head_dim"], spec["num_key_value_heads"]
        d = spec["hidden_size"]
        bias = spec["qkv_bias"]
        self.h, self.hd, self.kv = h, hd, kv
        self.q_proj = nn.Linear(d, h * hd, bias=bias)
        self.k_proj = nn.Linear(d, kv * hd, bias=bias)
        self.v_proj = nn.Linear(d, kv * hd, bias=bias)
        self.o_proj = nn.Linear(h * hd, d, bias=False)
        self.kv_dtype = torch.float16 if spec["kv_cache_dtype"] == "float16" else torch.float32
        self.rot = int(hd * spec["partial_rotary_factor"])
        self.interleaved = spec["rope_interleaved"]

    def forward(self, x, cos, sin, mask_add, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv, self.hd).transpose(1, 2)
        q = apply_rope(q, cos, sin, self.rot, self.hd, self.interleaved)
        k = apply_rope(k, cos, sin, self.rot, self.hd, self.interleaved)
        # The cache keeps its own dtype; attention always reads it back from the
        # cache so full and incremental runs see identical (rounded) K/V.
        present_k = torch.cat((past_k, k.to(self.kv_dtype)), dim=2)
        present_v = torch.cat((past_v, v.to(self.kv_dtype)), dim=2)
        kf, vf = present_k.to(torch.float32), present_v.to(torch.float32)
        rep = self.h // self.kv
        if rep > 1:
            t = kf.shape[2]
            kf = kf[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
            vf = vf[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
        scores = torch.matmul(q, kf.transpose(2, 3)) * (1.0 / math.sqrt(self.hd)) + mask_add
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, vf).transpose(1, 2).reshape(b, s, self.h * self.hd)
        return self.o_proj(out), present_k, present_v


class MLP(nn.Module):
    def __init__(self, spec):
        super().__init__()
        d, i = spec["hidden_size"], spec["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.input_layernorm = RMSNorm(spec["hidden_size"], spec["rms_norm_eps"])
        self.self_attn = Attention(spec)
        self.post_attention_layernorm = RMSNorm(spec["hidden_size"], spec["rms_norm_eps"])
        self.mlp = MLP(spec)

    def forward(self, x, cos, sin, mask_add, past_k, past_v):
        a, pk, pv = self.self_attn(self.input_layernorm(x), cos, sin, mask_add, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, pk, pv


class TinyDecoder(nn.Module):
    """Llama/Qwen2-style decoder whose forward signature is the ONNX contract."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.n_layers = spec["num_hidden_layers"]
        self.embed_tokens = nn.Embedding(spec["vocab_size"], spec["hidden_size"])
        self.layers = nn.ModuleList([Layer(spec) for _ in range(self.n_layers)])
        self.norm = RMSNorm(spec["hidden_size"], spec["rms_norm_eps"])
        self.lm_head = nn.Linear(spec["hidden_size"], spec["vocab_size"], bias=False)
        inv_freq, _, attention = rope_inv_freq(spec)
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.rope_attention = attention

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.embed_tokens(input_ids)
        s = input_ids.shape[1]
        past_len = past[0].shape[2]
        total = past_len + s
        # RoPE angles from position_ids (never from cache indices).
        freqs = position_ids.to(torch.float32)[:, :, None] * self.inv_freq[None, None, :]
        cos = torch.cos(freqs)[:, None]
        sin = torch.sin(freqs)[:, None]
        if self.rope_attention != 1.0:  # YaRN: keys (and queries) are encoded with scaled cos/sin
            cos, sin = cos * self.rope_attention, sin * self.rope_attention
        # Causal by cache index: query i sits at cache row past_len + i.
        q_idx = torch.arange(s, dtype=torch.int64) + past_len
        k_idx = torch.arange(total, dtype=torch.int64)
        causal = k_idx[None, :] <= q_idx[:, None]  # [s, total]
        keep = causal[None, None] & (attention_mask[:, None, None, :] > 0)  # [b,1,s,total]
        mask_add = torch.where(keep, torch.zeros((), dtype=torch.float32), torch.full((), -1e9, dtype=torch.float32))
        presents = []
        for i, layer in enumerate(self.layers):
            x, pk, pv = layer(x, cos, sin, mask_add, past[2 * i], past[2 * i + 1])
            presents += [pk, pv]
        logits = self.lm_head(self.norm(x))
        return (logits, *presents)


def init_weights(model, seed):
    """Seeded init; std 0.1 projections so logits are far from flat."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            elif "lm_head" in name:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            else:  # projections and q/k/v biases
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def build_model(spec):
    torch.manual_seed(spec["seed"])
    model = TinyDecoder(spec)
    init_weights(model, spec["seed"])
    return model.eval()


# ----------------------------------------------------------------------------
# ONNX export
# ----------------------------------------------------------------------------


def io_names(n_layers):
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    return ["input_ids", "attention_mask", "position_ids"] + past, ["logits"] + present


def dummy_inputs(spec, past_len, seq_len, batch=1):
    kv_dtype = torch.float16 if spec["kv_cache_dtype"] == "float16" else torch.float32
    g = torch.Generator().manual_seed(1234)
    ids = torch.randint(0, spec["vocab_size"], (batch, seq_len), generator=g)
    mask = torch.ones(batch, past_len + seq_len, dtype=torch.int64)
    pos = torch.arange(past_len, past_len + seq_len, dtype=torch.int64)[None].expand(batch, seq_len).contiguous()
    shape = (batch, spec["num_key_value_heads"], past_len, spec["head_dim"])
    past = [torch.randn(shape, generator=g).to(kv_dtype) for _ in range(2 * spec["num_hidden_layers"])]
    return (ids, mask, pos, *past)


def export_onnx(model, spec, path):
    n = spec["num_hidden_layers"]
    in_names, out_names = io_names(n)
    dyn = {
        "input_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "total"},
        "position_ids": {0: "batch", 1: "seq"},
        "logits": {0: "batch", 1: "seq"},
    }
    for name in in_names[3:]:
        dyn[name] = {0: "batch", 2: "past"}
    for name in out_names[1:]:
        dyn[name] = {0: "batch", 2: "total"}
    path.parent.mkdir(parents=True, exist_ok=True)
    # Trace with past > 0 and seq > 1 so no length gets specialised away.
    args = dummy_inputs(spec, past_len=3, seq_len=2, batch=2)
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            str(path),
            input_names=in_names,
            output_names=out_names,
            dynamic_axes=dyn,
            opset_version=17,
            do_constant_folding=True,
        )
    try:
        import onnx

        m = onnx.load(str(path))
        onnx.checker.check_model(m)
        ops = sorted({node.op_type for node in m.graph.node})
        print(f"  onnx ok, ops: {' '.join(ops)}")
    except ImportError:
        print("  (python onnx not available; skipped checker)")


# ----------------------------------------------------------------------------
# External data and quantized variants (post-processing of the exported fp32 graph)
# ----------------------------------------------------------------------------


def save_external(path):
    """Moves every initializer into onnx/model.onnx_data, as the hub's exports of large models do."""
    import onnx

    m = onnx.load(str(path))
    onnx.save_model(m, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=path.name + "_data", size_threshold=0)


def quantizable(inits, node, block):
    """A MatMul whose weight is a 2-D initializer with K a multiple of the block: its weight array [K, N], else None."""
    from onnx import numpy_helper

    if node.op_type != "MatMul" or node.input[1] not in inits:
        return None
    w = numpy_helper.to_array(inits[node.input[1]])
    return w if w.ndim == 2 and w.shape[0] % block == 0 else None


def q4_node(node, w, block, add_init):
    """MatMulNBits (com.microsoft, 4 bits, symmetric, no zero points: the code 8 means 0) replacing a MatMul.

    B is [N, K/block, block/2] uint8, two codes per byte low nibble first; scales [N * K/block] float32.
    Each block's scale maps its largest-magnitude weight to code 0 (or 15), as onnxruntime's quantizer does.
    """
    import numpy as np
    import onnx.helper as oh

    k, n = w.shape
    blocks = w.T.reshape(n, k // block, block).astype(np.float64)
    idx = np.abs(blocks).argmax(-1)
    extreme = np.take_along_axis(blocks, idx[..., None], -1)[..., 0]
    scale = extreme / -8.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(blocks / scale[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    name = node.input[1]
    add_init(packed, name + "_Q4")
    add_init(scale.astype(np.float32).reshape(-1), name + "_scales")
    return oh.make_node(
        "MatMulNBits", [node.input[0], name + "_Q4", name + "_scales"], list(node.output), name=node.name + "_Q4",
        domain="com.microsoft", K=k, N=n, bits=4, block_size=block,
    )


def int8_nodes(node, w, add_init):
    """int8 weights (per output column scale) through DequantizeLinear, then the MatMul as before."""
    import numpy as np
    import onnx.helper as oh

    scale = np.abs(w).max(0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    name = node.input[1]
    add_init(q, name + "_int8")
    add_init(scale.astype(np.float32), name + "_int8_scale")
    add_init(np.zeros(w.shape[1], dtype=np.int8), name + "_int8_zero")
    deq = oh.make_node("DequantizeLinear", [name + "_int8", name + "_int8_scale", name + "_int8_zero"], [name + "_deq"], name=node.name + "_deq", axis=1)
    mm = oh.make_node("MatMul", [node.input[0], name + "_deq"], list(node.output), name=node.name)
    return [deq, mm]


def quantize(src, dst, kind, block=32):
    """Writes a quantized copy of the fp32 graph at src: kind "q4" (MatMulNBits) or "int8" (DequantizeLinear)."""
    import onnx
    from onnx import numpy_helper
    import onnx.helper as oh

    m = onnx.load(str(src))
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    added, replaced = [], set()

    def add_init(arr, name):
        added.append(numpy_helper.from_array(arr, name))

    nodes = []
    for node in g.node:
        w = quantizable(inits, node, block)
        if w is None:
            nodes.append(node)
            continue
        replaced.add(node.input[1])
        nodes.extend([q4_node(node, w, block, add_init)] if kind == "q4" else int8_nodes(node, w, add_init))
    still_used = {i for nd in nodes for i in nd.input}
    kept = [t for t in g.initializer if t.name not in replaced or t.name in still_used]
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(kept + added)
    if kind == "q4":
        m.opset_import.append(oh.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(m)
    onnx.save_model(m, str(dst))
    print(f"  {dst.name}: {len(replaced)} MatMul weights quantized ({kind})")


def self_check_incremental(model, spec):
    """PyTorch-side sanity: full forward == prefill + single steps; past len 0 works."""
    n = spec["num_hidden_layers"]
    kv_dtype = torch.float16 if spec["kv_cache_dtype"] == "float16" else torch.float32
    g = torch.Generator().manual_seed(99)
    ids = torch.randint(0, spec["vocab_size"], (1, 12), generator=g)
    empty = [torch.zeros(1, spec["num_key_value_heads"], 0, spec["head_dim"], dtype=kv_dtype) for _ in range(2 * n)]
    with torch.no_grad():
        full = model(ids, torch.ones(1, 12, dtype=torch.int64), torch.arange(12)[None], *empty)
        out = model(ids[:, :8], torch.ones(1, 8, dtype=torch.int64), torch.arange(8)[None], *empty)
        for t in range(8, 12):
            out = model(ids[:, t : t + 1], torch.ones(1, t + 1, dtype=torch.int64), torch.tensor([[t]]), *out[1:])
    return (full[0][0, -1] - out[0][0, -1]).abs().max().item()


def self_check_rope():
    """apply_rope == rotating complex pairs: half-split pairs (t, t+R/2), interleaved (2t, 2t+1)."""
    g = torch.Generator().manual_seed(7)
    hd, rot = 16, 8
    x = torch.randn(1, 1, 3, hd, generator=g, dtype=torch.float64)
    ang = torch.randn(1, 1, 3, rot // 2, generator=g, dtype=torch.float64)
    rotor = torch.polar(torch.ones_like(ang), ang)
    for interleaved in (False, True):
        got = apply_rope(x, ang.cos(), ang.sin(), rot, hd, interleaved)
        if interleaved:
            z = torch.complex(x[..., 0:rot:2], x[..., 1:rot:2]) * rotor
            want = torch.stack((z.real, z.imag), dim=-1).flatten(-2)
        else:
            z = torch.complex(x[..., : rot // 2], x[..., rot // 2 : rot]) * rotor
            want = torch.cat((z.real, z.imag), dim=-1)
        want = torch.cat((want, x[..., rot:]), dim=-1)
        assert torch.allclose(got, want, atol=1e-12), f"rope mismatch (interleaved={interleaved})"


# Probe sequence shared with tools/check_fixture_models.mjs (--reference).
PROBE_IDS = [17, 300, 45, 99, 256, 3, 480, 120, 7, 64, 400, 250]


def write_reference(model, spec, path):
    n = spec["num_hidden_layers"]
    kv_dtype = torch.float16 if spec["kv_cache_dtype"] == "float16" else torch.float32
    empty = [torch.zeros(1, spec["num_key_value_heads"], 0, spec["head_dim"], dtype=kv_dtype) for _ in range(2 * n)]
    s = len(PROBE_IDS)
    with torch.no_grad():
        out = model(torch.tensor([PROBE_IDS]), torch.ones(1, s, dtype=torch.int64), torch.arange(s)[None], *empty)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"input_ids": PROBE_IDS, "logits": out[0][0].flatten().tolist()}))


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--reference", type=Path, default=None, help="write PyTorch probe logits here")
    ap.add_argument("--only", nargs="*", default=None, help="subset of fixture names")
    args = ap.parse_args()

    torch.set_num_threads(1)
    self_check_rope()
    print(f"training BPE on {CORPUS_DIR} ({NUM_MERGES} merges)...")
    vocab, merges = train_bpe(load_corpus())
    specials = special_token_ids(vocab)
    vocab_size = len(vocab) + len(specials)
    eot = specials["<|endoftext|>"]
    print(f"  vocab {vocab_size} ({len(vocab)} BPE + {len(specials)} special), <|endoftext|>={eot}")

    for name in args.only or FIXTURES:
        spec = fixture_spec(name, vocab_size)
        folder = args.out / name
        print(f"{name}:")
        write_json(folder / "config.json", config_json(spec, eot))
        write_json(folder / "tokenizer.json", tokenizer_json(vocab, merges, spec["tokenizer"]))
        write_json(folder / "tokenizer_config.json", tokenizer_config_json(vocab, spec["max_position_embeddings"]))
        model = build_model(spec)
        print(f"  torch full-vs-incremental max abs diff: {self_check_incremental(model, spec):.3g}")
        onnx_path = folder / "onnx" / "model.onnx"
        export_onnx(model, spec, onnx_path)
        if spec["external_data"]:
            save_external(onnx_path)
        for kind in spec["quantize"] or ():
            quantize(onnx_path, onnx_path.with_name(f"model_{kind}.onnx"), kind)
        if spec["quantize"]:
            onnx_path.unlink()  # the hub's quantized folders are tested without the fp32 graph beside them
        if args.reference:
            write_reference(model, spec, args.reference / f"{name}.json")
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"  wrote {folder} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
