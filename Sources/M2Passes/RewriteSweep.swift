import M2IR

/// The driver shared by the rule-based passes (`canonicalize`, `fuse`): one sweep in execution order
/// reaches the fixed point, because when an op is visited its operands are final (already rewritten), and
/// rules are re-applied to the op until none matches. Ops left without users by a rewrite are erased
/// (except inputs); ops that were already unused are `dce`'s business. An `.update` keeps the use counts
/// exact (RewriteState.moveUses), so a value whose other readers a rule absorbed has one reader for the next
/// rule (`glu` absorbs both slices of a matmul's product; `matmul-glu` then absorbs the matmul).
struct RewriteSweep {
    let rules: [RewriteRule]
    /// Guards against two rules that undo each other: no op is rewritten more often than this.
    let maxRewritesPerOp: Int
    /// When set, each rewritten op lists the rules that formed it under this annotation (`fused = "a+b"`), so a
    /// dump shows what every fused op absorbed.
    var recordingKey: String? = nil

    /// Applies the rules; returns how many times each rule fired (for `--stats`-style reporting and tests).
    @discardableResult
    func run(_ graph: inout Graph) -> [String: Int] {
        var state = RewriteState()
        state.uses = graph.useCounts()
        state.nextFresh = graph.nextValue
        var fired: [String: Int] = [:]
        var kept: [Op] = []
        kept.reserveCapacity(graph.ops.count)
        var orphanCandidates: [ValueID] = []

        visiting: for var op in graph.ops {
            op.operands = op.operands.map(state.resolve)
            var rewrites = 0
            matching: while rewrites < maxRewritesPerOp {
                for rule in rules {
                    guard let rewrite = rule.apply(op, state) else { continue }
                    orphanCandidates += op.operands
                    rewrites += 1
                    fired[rule.name, default: 0] += 1
                    switch rewrite {
                    case .replace(let value):
                        state.substitution[op.result] = value
                        continue visiting
                    case .update(let kind, let operands):
                        if let key = recordingKey {
                            // An absorbed producer's own rules come first: the list is the op's whole history.
                            for absorbed in op.operands where !operands.contains(absorbed) {
                                if case .string(let rules) = state.producer(of: absorbed)?.annotations[key] {
                                    op.record(rule: rules, under: key)
                                }
                            }
                            op.record(rule: rule.name, under: key)
                        }
                        state.moveUses(from: op.operands, to: operands)
                        op.kind = kind
                        op.operands = operands
                        continue matching
                    case .expand(let inserted, let kind, let operands):
                        // The inserted ops are final (rules already chose them); they read what the op read, so
                        // only their own results need use counts.
                        var added: [ValueID: Int] = [:]
                        for v in inserted.flatMap(\.operands) + operands { added[v, default: 0] += 1 }
                        for var new in inserted {
                            new.location = new.location ?? op.location
                            if let key = recordingKey { new.record(rule: rule.name, under: key) }
                            state.uses[new.result] = added[new.result, default: 0]
                            state.record(new)
                            kept.append(new)
                            graph.reserveValues(through: new.result)
                        }
                        state.nextFresh = graph.nextValue
                        op.annotations = [:]
                        if let key = recordingKey { op.record(rule: rule.name, under: key) }
                        op.kind = kind
                        op.operands = operands
                        continue matching
                    }
                }
                break
            }
            state.record(op)
            kept.append(op)
        }
        graph.ops = kept
        for i in graph.outputs.indices { graph.outputs[i].value = state.resolve(graph.outputs[i].value) }
        Self.eraseOrphans(&graph, candidates: orphanCandidates)
        return fired
    }

    /// Erases non-input ops among `candidates` that have no users, then their operands in turn.
    static func eraseOrphans(_ graph: inout Graph, candidates: [ValueID]) {
        var uses = graph.useCounts()
        let producers = graph.producerIndex()
        var dead: Set<ValueID> = []
        var worklist = candidates
        while let v = worklist.popLast() {
            guard uses[v, default: 0] == 0, !dead.contains(v), let index = producers[v] else { continue }
            let op = graph.ops[index]
            if case .input = op.kind { continue }
            dead.insert(v)
            for operand in op.operands {
                uses[operand, default: 0] -= 1
                worklist.append(operand)
            }
        }
        graph.ops.removeAll { dead.contains($0.result) }
    }

}

extension Op {
    /// Appends `rule` (one name or a `+`-separated list) to the `+`-separated list in annotation `key`, each name
    /// once (three absorbed slices moved by the same rule list it once).
    mutating func record(rule: String, under key: String) {
        if case .string(let earlier) = annotations[key] {
            var names = earlier.split(separator: "+").map(String.init)
            for name in rule.split(separator: "+").map(String.init) where !names.contains(name) { names.append(name) }
            annotations[key] = .string(names.joined(separator: "+"))
        } else {
            annotations[key] = .string(rule)
        }
    }
}
