"""Hugging Face BERT-base (BertModel with pooler, random weights, sdpa attention) timed like m2c bench: the
attention baseline of `bench/compare.sh`. Needs `pip install torch transformers`; loads nothing from a hub.

    python bench/hf_bert_torch.py --seq-len 128,512 --threads 1 --json
"""

from __future__ import annotations

import argparse
import json
import sys

import torch

from timing import time_forward


def main() -> None:
    parser = argparse.ArgumentParser(description="Time Hugging Face BertModel (bert-base shapes, random weights).")
    parser.add_argument("--seq-len", default="128", help="comma-separated sequence lengths")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--attention", default="sdpa", choices=["sdpa", "eager"])
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args()
    try:
        import transformers
        from transformers import BertConfig, BertModel
    except ImportError:
        sys.exit("transformers is not installed: pip install transformers")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for length in (int(x) for x in args.seq_len.split(",")):
        # bert-base-uncased shapes; positions extended to L (BERT's own table stops at 512).
        config = BertConfig(max_position_embeddings=max(512, length), attn_implementation=args.attention)
        model = BertModel(config).eval()
        ids = torch.randint(0, config.vocab_size, (args.batch, length), generator=torch.Generator().manual_seed(1))
        print(f"HF BERT-base ({args.attention}) L={length}: timing", file=sys.stderr)
        with torch.inference_mode():
            ms, ms_min = time_forward(lambda: model(input_ids=ids), args.warmup_seconds, args.reps)
        record = {"impl": f"hf_bert_base_{args.attention}", "seq_len": length, "batch": args.batch,
                  "threads": args.threads, "ms_per_forward": ms, "ms_per_forward_min": ms_min,
                  "tokens_per_ms": args.batch * length / ms, "torch_version": torch.__version__,
                  "transformers_version": transformers.__version__}
        if args.json:
            print(json.dumps(record, sort_keys=True), flush=True)
        else:
            print(f"HF BERT-base ({args.attention}) L={length} batch={args.batch} threads={args.threads}: "
                  f"{ms:.2f} ms/forward (min {ms_min:.2f}), {record['tokens_per_ms']:.3f} tokens/ms", flush=True)


if __name__ == "__main__":
    main()
