"""M2-BERT inference forward in PyTorch eager mode: the baseline `bench/compare.sh` times m2c against.

Written from ../shared/docs/m2-bert-semantics.md (sections 2-6; section numbers are cited below), not from the
original repository: embeddings, Monarch mixer (in-projection, causal 3-tap short conv, gating, implicit Hyena
filters, long convolutions by FFT of size 2L as the original codes them, residual long conv, out-projection),
block-diagonal GLU or plain MLP with post-LayerNorm, CLS and mean poolers, MLM head. Like the original it
recomputes the implicit filters and their spectra in every forward (pass precompute_filters=True to do that once).

    python bench/m2_bert_torch.py --seq-len 128,512 --threads 1 --json       # random M2-BERT-base weights
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from timing import time_forward


@dataclass
class M2BertConfig:
    hidden: int = 768
    intermediate: int = 3072
    layers: int = 12
    vocab: int = 30528
    max_positions: int = 128
    l_max: int = 128
    nblocks: int = 4
    filter_order: int = 128
    emb_dim: int = 5
    bidirectional: bool = True
    residual_long_conv: bool = True
    use_glu_mlp: bool = True
    use_positional_encodings: bool = True
    layer_norm_eps: float = 1e-12
    w_mod: float = 1.0

    @staticmethod
    def from_checkpoint_config(path: str) -> "M2BertConfig":
        """A checkpoint-style config.json with the original field names (golden fixtures, released models)."""
        with open(path) as f:
            c = json.load(f)
        return M2BertConfig(
            hidden=c["hidden_size"], intermediate=c["intermediate_size"], layers=c["num_hidden_layers"],
            vocab=c["vocab_size"], max_positions=c["max_position_embeddings"], l_max=c["long_conv_l_max"],
            nblocks=c.get("monarch_mlp_nblocks", 4), filter_order=c.get("hyena_filter_order", 64),
            emb_dim=c.get("hyena_emb_dim", 5), bidirectional=c.get("bidirectional", True),
            residual_long_conv=c.get("residual_long_conv", False), use_glu_mlp=c.get("use_glu_mlp", True),
            use_positional_encodings=c.get("use_positional_encodings", False),
            layer_norm_eps=c.get("layer_norm_eps", 1e-12), w_mod=c.get("hyena_w_mod", 1))

    @staticmethod
    def base(seq_len: int) -> "M2BertConfig":
        """M2-BERT-base (80M) with positions and filter grids of length seq_len (as examples/m2-bert-base.m2)."""
        return M2BertConfig(max_positions=seq_len, l_max=seq_len)


_SAFETENSORS_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
                       "I32": torch.int32, "I64": torch.int64}


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    """Every tensor of a safetensors file: an 8-byte little-endian header size, a JSON header, raw data."""
    with open(path, "rb") as f:
        data = f.read()
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    base = 8 + header_size
    tensors = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _SAFETENSORS_DTYPES[info["dtype"]]
        flat = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=dtype)
        tensors[key] = flat.reshape(info["shape"])
    return tensors


def block_diag_linear(x: torch.Tensor, w: torch.Tensor, out_features: int) -> torch.Tensor:
    """§5.1: y[..., b·q + r] = Σ_s w[b, r, s] · x[..., b·p + s], x zero-padded to nb·p, y cut to out_features.
    A 2-D w is an ordinary dense Linear weight (out × in)."""
    if w.dim() == 2:
        return x @ w.t()
    nb, q, p = w.shape
    n = x.shape[-1]
    if n < nb * p:
        x = F.pad(x, (0, nb * p - n))
    lead = x.shape[:-1]
    blocks = x.reshape(-1, nb, p).transpose(0, 1)                   # (nb, rows, p)
    y = torch.bmm(blocks, w.transpose(1, 2)).transpose(0, 1)       # (rows, nb, q)
    return y.reshape(*lead, nb * q)[..., :out_features]


class M2Bert:
    """The forward pass over a state dict with the original key names (prefix `bert.`, `cls.predictions.`)."""

    def __init__(self, config: M2BertConfig, state: dict[str, torch.Tensor], precompute_filters: bool = False):
        self.c = config
        self.s = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
        self.precompute_filters = precompute_filters
        self._spectra: dict[tuple[str, int], torch.Tensor] = {}

    # §3.5: implicit filter k (H, L) of one MLP (`implicit_filter` or `implicit_filter_rev`) of a HyenaFilter.
    def _implicit_filter(self, prefix: str, mlp: str, length: int) -> torch.Tensor:
        s = self.s
        z = s[f"{prefix}.pos_emb.z"][0, :length]                    # (L, E)
        t = s[f"{prefix}.pos_emb.t"][0, :length]                    # (L, 1)
        freq = s[f"{prefix}.{mlp}.1.freq"]                          # (1, O), shared by all six Sin activations
        h = z
        for i in (0, 2, 4):
            h = torch.sin(self.c.w_mod * freq * (h @ s[f"{prefix}.{mlp}.{i}.weight"].t() + s[f"{prefix}.{mlp}.{i}.bias"]))
        h = h @ s[f"{prefix}.{mlp}.6.weight"].t()                   # (L, H)
        decay = torch.exp(-t * s[f"{prefix}.modulation.deltas"][0].abs())
        return (h * decay).t()                                      # (H, L)

    # §3.6: K_f = rfft(K, 2L) / 2L with K = [k_fwd | flip(k_rev)] (bidirectional) or k_fwd zero-padded.
    def _kernel_spectrum(self, prefix: str, length: int) -> torch.Tensor:
        key = (prefix, length)
        if key in self._spectra:
            return self._spectra[key]
        k = self._implicit_filter(prefix, "implicit_filter", length)
        if self.c.bidirectional:
            k_rev = self._implicit_filter(prefix, "implicit_filter_rev", length)
            k = F.pad(k, (0, length)) + F.pad(k_rev.flip(-1), (length, 0))
        spectrum = torch.fft.rfft(k, n=2 * length) / (2 * length)
        if self.precompute_filters:
            self._spectra[key] = spectrum
        return spectrum

    # §3.6: y = irfft(rfft(v, 2L) · K_f, 2L, norm="forward")[..., :L] + v · D.
    def _long_conv(self, v: torch.Tensor, prefix: str) -> torch.Tensor:
        length = v.shape[-1]
        k_f = self._kernel_spectrum(prefix, length)
        v_f = torch.fft.rfft(v, n=2 * length)
        y = torch.fft.irfft(v_f * k_f, n=2 * length, norm="forward")[..., :length]
        return y + v * self.s[f"{prefix}.bias"][None, :, None]

    def _layer_norm(self, x: torch.Tensor, prefix: str, eps: float) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.s[f"{prefix}.weight"], self.s[f"{prefix}.bias"], eps)

    # §3: the sequence mixer of one layer, u (B, L, H) → (B, L, H).
    def _mixer(self, u: torch.Tensor, p: str) -> torch.Tensor:
        s, h = self.s, self.c.hidden
        length = u.shape[1]
        if f"{p}.layernorm.weight" in s:                            # §3.1 hyena_training_additions
            u = self._layer_norm(u, f"{p}.layernorm", 1e-5)
        proj = (u @ s[f"{p}.in_linear.weight"].t() + s[f"{p}.in_linear.bias"]).transpose(1, 2)       # (B, 3H, L)
        # §3.3: Conv1d(kernel 3, padding 2, groups 3H) then the first L outputs: causal taps i-2, i-1, i.
        uc = F.conv1d(proj, s[f"{p}.short_filter.weight"], s[f"{p}.short_filter.bias"], padding=2, groups=3 * h)
        uc = uc[..., :length]
        x1, x2, v = uc[:, :h], uc[:, h:2 * h], uc[:, 2 * h:]
        y = self._long_conv(v * x1, f"{p}.filter_fn") * x2        # §3.4, §3.8
        if self.c.residual_long_conv:
            y = y + self._long_conv(u.transpose(1, 2), f"{p}.filter_fn2")
        return y.transpose(1, 2) @ s[f"{p}.out_linear.weight"].t() + s[f"{p}.out_linear.bias"]

    # §5: GLU (or plain) block-diagonal MLP with the residual of the mixer output and a post-LayerNorm.
    def _mlp(self, a: torch.Tensor, p: str) -> torch.Tensor:
        s, c = self.s, self.c
        if c.use_glu_mlp:
            g = block_diag_linear(a, s[f"{p}.gated_layers.weight"], 2 * c.intermediate)
            hidden = F.gelu(g[..., :c.intermediate]) * g[..., c.intermediate:]
        else:
            hidden = F.gelu(block_diag_linear(a, s[f"{p}.gated_layers.weight"], c.intermediate))
        o = block_diag_linear(hidden, s[f"{p}.wo.weight"], c.hidden) + s[f"{p}.wo.bias"]
        return self._layer_norm(o + a, f"{p}.layernorm", c.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None, heads: tuple[str, ...] = ("pooled_output",)
                ) -> dict[str, torch.Tensor]:
        """input_ids (B, L) → last_hidden_state and the requested heads: pooled_output (CLS pooler),
        pooled_output_mean (masked mean pooler), mlm_logits."""
        s, c = self.s, self.c
        length = input_ids.shape[1]
        ids = input_ids.long()
        types = torch.zeros_like(ids) if token_type_ids is None else token_type_ids.long()
        e = s["bert.embeddings.word_embeddings.weight"][ids] + s["bert.embeddings.token_type_embeddings.weight"][types]
        if c.use_positional_encodings:
            e = e + s["bert.embeddings.position_embeddings.weight"][:length]
        x = self._layer_norm(e, "bert.embeddings.LayerNorm", c.layer_norm_eps)             # §2
        for i in range(c.layers):                                                           # §6.1
            p = f"bert.encoder.layer.{i}"
            x = self._mlp(self._mixer(x, f"{p}.attention"), f"{p}.mlp")
        out = {"last_hidden_state": x}
        if "pooled_output" in heads:                                                        # §6.2
            out["pooled_output"] = torch.tanh(x[:, 0] @ s["bert.pooler.dense.weight"].t() + s["bert.pooler.dense.bias"])
        if "pooled_output_mean" in heads:
            m = torch.ones_like(ids) if attention_mask is None else attention_mask
            m = m.to(x.dtype)[..., None]
            mean = (x * m).sum(1) / m.sum(1)
            out["pooled_output_mean"] = torch.tanh(mean @ s["bert.pooler.dense.weight"].t() + s["bert.pooler.dense.bias"])
        if "mlm_logits" in heads:                                                           # §6.3
            t = F.gelu(x @ s["cls.predictions.transform.dense.weight"].t() + s["cls.predictions.transform.dense.bias"])
            t = self._layer_norm(t, "cls.predictions.transform.LayerNorm", 1e-12)
            out["mlm_logits"] = t @ s["bert.embeddings.word_embeddings.weight"].t() + s["cls.predictions.decoder.bias"]
        return out


def random_state(c: M2BertConfig, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random weights with the shapes of §7 (BertModel with pooler), for timing only."""
    g = torch.Generator().manual_seed(seed)

    def normal(*shape: int, std: float = 0.02) -> torch.Tensor:
        return torch.randn(*shape, generator=g) * std

    h, i, nb, o, e = c.hidden, c.intermediate, c.nblocks, c.filter_order, c.emb_dim
    s = {
        "bert.embeddings.word_embeddings.weight": normal(c.vocab, h),
        "bert.embeddings.position_embeddings.weight": normal(c.max_positions, h),
        "bert.embeddings.token_type_embeddings.weight": normal(2, h),
        "bert.embeddings.LayerNorm.weight": torch.ones(h), "bert.embeddings.LayerNorm.bias": torch.zeros(h),
        "bert.pooler.dense.weight": normal(h, h), "bert.pooler.dense.bias": torch.zeros(h),
    }
    t = torch.linspace(0, 1, c.l_max)[None, :, None]
    deltas = torch.linspace(math.log(1e-2) / 1.5, math.log(1e-2) / 0.3, h)[None, None, :]
    for layer in range(c.layers):
        p = f"bert.encoder.layer.{layer}"
        for fn in ("filter_fn", "filter_fn2"):
            f = f"{p}.attention.{fn}"
            s[f"{f}.bias"] = normal(h, std=1.0)
            s[f"{f}.pos_emb.z"] = normal(1, c.l_max, e, std=1.0)
            s[f"{f}.pos_emb.t"] = t
            s[f"{f}.modulation.deltas"] = deltas
            for mlp in ("implicit_filter", "implicit_filter_rev"):
                s[f"{f}.{mlp}.0.weight"], s[f"{f}.{mlp}.0.bias"] = normal(o, e, std=0.3), normal(o, std=0.3)
                for k in (2, 4):
                    s[f"{f}.{mlp}.{k}.weight"], s[f"{f}.{mlp}.{k}.bias"] = normal(o, o, std=0.1), normal(o, std=0.1)
                s[f"{f}.{mlp}.6.weight"] = normal(h, o, std=0.1)
                s[f"{f}.{mlp}.1.freq"] = torch.full((1, o), 10.0)
        s[f"{p}.attention.in_linear.weight"], s[f"{p}.attention.in_linear.bias"] = normal(3 * h, h), normal(3 * h)
        s[f"{p}.attention.out_linear.weight"], s[f"{p}.attention.out_linear.bias"] = normal(h, h), normal(h)
        s[f"{p}.attention.short_filter.weight"], s[f"{p}.attention.short_filter.bias"] = normal(3 * h, 1, 3, std=0.3), normal(3 * h)
        s[f"{p}.mlp.gated_layers.weight"] = normal(nb, 2 * i // nb, h // nb)
        s[f"{p}.mlp.wo.weight"], s[f"{p}.mlp.wo.bias"] = normal(nb, h // nb, i // nb), normal(h)
        s[f"{p}.mlp.layernorm.weight"], s[f"{p}.mlp.layernorm.bias"] = torch.ones(h), torch.zeros(h)
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the PyTorch eager M2-BERT-base forward (random weights).")
    parser.add_argument("--seq-len", default="128", help="comma-separated sequence lengths")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--precompute-filters", action="store_true",
                        help="compute the implicit filters' spectra once (the original recomputes them per forward)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for length in (int(x) for x in args.seq_len.split(",")):
        config = M2BertConfig.base(length)
        model = M2Bert(config, random_state(config), precompute_filters=args.precompute_filters)
        ids = torch.randint(0, 30522, (args.batch, length), generator=torch.Generator().manual_seed(1))
        print(f"torch M2-BERT-base L={length}: timing", file=sys.stderr)
        with torch.inference_mode():
            ms, ms_min = time_forward(lambda: model.forward(ids), args.warmup_seconds, args.reps)
        record = {"impl": "torch_m2_bert", "seq_len": length, "batch": args.batch, "threads": args.threads,
                  "ms_per_forward": ms, "ms_per_forward_min": ms_min, "tokens_per_ms": args.batch * length / ms,
                  "precompute_filters": args.precompute_filters, "torch_version": torch.__version__}
        if args.json:
            print(json.dumps(record, sort_keys=True), flush=True)
        else:
            print(f"torch M2-BERT-base L={length} batch={args.batch} threads={args.threads}: "
                  f"{ms:.2f} ms/forward (min {ms_min:.2f}), {record['tokens_per_ms']:.3f} tokens/ms", flush=True)


if __name__ == "__main__":
    main()
