# Alternates forwards of two already-built M2-BERT-base libraries (DIR/L<seq_len>/libm2_bert_base.so, e.g. left by
# bench/paired.py runs of two m2c builds) in one process:  python ab_two_builds.py BEFORE_DIR AFTER_DIR L BATCH PAIRS
import os, sys, time, statistics
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # bench/
import paired
paired.subprocess.run = lambda *a, **k: None   # the libraries are already built
old_dir, new_dir, L, B, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
libs = {"old": paired.M2CLibrary("-", L, B, 2, old_dir), "new": paired.M2CLibrary("-", L, B, 2, new_dir)}
for lib in libs.values():
    for _ in range(3): lib.forward()
t = {"old": [], "new": []}
for i in range(n):
    for k in (["old", "new"] if i % 2 == 0 else ["new", "old"]):
        t0 = time.perf_counter(); libs[k].forward(); t[k].append((time.perf_counter() - t0) * 1e3)
r = sorted(a / b for a, b in zip(t["old"], t["new"]))
print(f"L={L} batch={B}, {n} alternating pairs: before {statistics.median(t['old']):.1f} ms (min {min(t['old']):.1f}), "
      f"after {statistics.median(t['new']):.1f} ms (min {min(t['new']):.1f}); per-pair before/after median {statistics.median(r):.3f} [{r[len(r)//4]:.3f}-{r[3*len(r)//4]:.3f}]")
