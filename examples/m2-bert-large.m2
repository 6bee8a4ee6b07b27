# M2-BERT-large (341M): H 1792, I 7168, 12 layers, L 128; otherwise as M2-BERT-base.
model m2_bert_large(seq_len: int = 128, hidden: int = 1792, intermediate: int = 7168, layers: int = 12,
                    vocab: int = 30528, max_positions: int = seq_len, l_max: int = seq_len,
                    nblocks: int = 4, filter_order: int = 128, emb_dim: int = 5, eps: float = 1e-12) {
  input input_ids: i32[seq_len]
  input token_type_ids: i32[seq_len] = 0
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
