"""The PyTorch M2-BERT baseline against the golden outputs of the original implementation.

Runs with `pytest bench/` when torch is installed (a benchmark dependency, not part of CI); skips otherwise.
Fixtures come from $M2_GOLDEN_DIR, else ../shared/golden beside the repository, else Tests/Fixtures/golden.
Tolerance (../shared/golden/README.md, float32 code): max|out − golden| ≤ 1e-4 · std(golden) per tensor.
"""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch (see docs/PERFORMANCE.md)")

from m2_bert_torch import M2Bert, M2BertConfig, read_safetensors  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUTS = ("last_hidden_state", "mlm_logits", "pooled_output", "pooled_output_mean")


def golden_dir() -> str:
    candidates = [os.environ.get("M2_GOLDEN_DIR", ""), os.path.join(REPO, "..", "shared", "golden"),
                  os.path.join(REPO, "Tests", "Fixtures", "golden")]
    for d in candidates:
        if d and os.path.exists(os.path.join(d, "tiny.io.safetensors")):
            return d
    pytest.skip("no golden fixtures found (set M2_GOLDEN_DIR)")


@pytest.mark.parametrize("fixture", ["tiny", "small", "plain"])
def test_matches_the_original(fixture: str) -> None:
    d = golden_dir()
    config = M2BertConfig.from_checkpoint_config(os.path.join(d, f"{fixture}.config.json"))
    state = read_safetensors(os.path.join(d, f"{fixture}.weights.safetensors"))
    state.update(read_safetensors(os.path.join(d, f"{fixture}.pooler.safetensors")))
    io = read_safetensors(os.path.join(d, f"{fixture}.io.safetensors"))
    model = M2Bert(config, state)
    with torch.inference_mode():
        out = model.forward(io["input_ids"], io["token_type_ids"], io["attention_mask"], heads=OUTPUTS)
    for name in OUTPUTS:
        golden = io[name]
        assert out[name].shape == golden.shape, name
        error = (out[name] - golden).abs().max().item()
        assert error <= 1e-4 * golden.std().item(), f"{fixture} {name}: max abs error {error:.3g}, std {golden.std().item():.3g}"


def test_a_wrong_filter_is_caught() -> None:
    """The comparison can fail: swapping the forward and reverse filters of one layer changes the output."""
    d = golden_dir()
    config = M2BertConfig.from_checkpoint_config(os.path.join(d, "tiny.config.json"))
    state = read_safetensors(os.path.join(d, "tiny.weights.safetensors"))
    state.update(read_safetensors(os.path.join(d, "tiny.pooler.safetensors")))
    prefix = "bert.encoder.layer.0.attention.filter_fn.implicit_filter"
    state[f"{prefix}.6.weight"], state[f"{prefix}_rev.6.weight"] = state[f"{prefix}_rev.6.weight"], state[f"{prefix}.6.weight"]
    io = read_safetensors(os.path.join(d, "tiny.io.safetensors"))
    with torch.inference_mode():
        out = M2Bert(config, state).forward(io["input_ids"], io["token_type_ids"], io["attention_mask"])
    golden = io["last_hidden_state"]
    assert (out["last_hidden_state"] - golden).abs().max().item() > 1e-4 * golden.std().item()
