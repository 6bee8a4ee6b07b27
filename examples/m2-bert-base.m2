# M2-BERT-base (80M), the released pretraining configuration:
# H 768, I 3072, 12 layers, vocabulary 30528 (30522 rounded up to a multiple of 8), L 128,
# block-diagonal GLU MLP with 4 blocks, filter order 128, emb_dim 5, learned positions,
# bidirectional filters, residual long convolution.
model m2_bert_base(seq_len: int = 128, hidden: int = 768, intermediate: int = 3072, layers: int = 12,
                   vocab: int = 30528, max_positions: int = seq_len, l_max: int = seq_len,
                   nblocks: int = 4, filter_order: int = 128, emb_dim: int = 5, eps: float = 1e-12) {
  input input_ids: i32[seq_len]
  input token_type_ids: i32[seq_len] = 0      # default used when the caller passes none
  input attention_mask: i32[seq_len] = 1
  let x = BertEmbeddings(input_ids, token_type_ids, vocab: vocab, hidden: hidden,
                         max_positions: max_positions, eps: eps) @ "bert.embeddings"
  for i in 0..<layers {
    x = M2BertLayer(x, intermediate: intermediate, nblocks: nblocks, order: filter_order, emb_dim: emb_dim,
                    l_max: l_max, eps: eps) @ "bert.encoder.layer.{i}"
  }
  output last_hidden_state = x
  output pooled_output = ClsPooler(x) @ "bert.pooler"
  output pooled_output_mean = MeanPooler(x, attention_mask) @ "bert.pooler"
  output mlm_logits = MLMHead(x, vocab: vocab, eps: eps) @ "cls.predictions"
}
