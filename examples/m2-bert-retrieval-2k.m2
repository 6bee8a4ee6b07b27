# M2-BERT-80M-2k-retrieval: the base architecture at L = 2048 (position table and filter grids
# have 2048 rows). The retrieval embedding is the [CLS] tanh pooler, not L2-normalised; there is
# no MLM head. Inputs must be right-padded with id 0 to exactly seq_len (padding changes outputs).
model m2_bert_retrieval_2k(seq_len: int = 2048, hidden: int = 768, intermediate: int = 3072, layers: int = 12,
                           vocab: int = 30528, nblocks: int = 4, filter_order: int = 128, emb_dim: int = 5,
                           eps: float = 1e-12) {
  input input_ids: i32[seq_len]
  input token_type_ids: i32[seq_len] = 0
  let x = BertEmbeddings(input_ids, token_type_ids, vocab: vocab, hidden: hidden, max_positions: seq_len,
                         eps: eps) @ "bert.embeddings"
  for i in 0..<layers {
    x = M2BertLayer(x, intermediate: intermediate, nblocks: nblocks, order: filter_order, emb_dim: emb_dim,
                    l_max: seq_len, eps: eps) @ "bert.encoder.layer.{i}"
  }
  output pooled_output = ClsPooler(x) @ "bert.pooler"
  output last_hidden_state = x
}
