import M2IR

/// `canonicalize`: local simplifications written as data — a list of named rules, each a pattern on
/// one op (and its operands' producers) with a rewrite. Ops keep their location, name and annotations.
///
///     %1 = transpose %0 {perm = [1,0,2]} : f32[B,8,4,2]
///     %2 = transpose %1 {perm = [1,0,2]} : f32[B,4,8,2]     →   (uses of %4 become %0; %1–%4 erased)
///     %3 = scale %2 {factor = 2.0} : f32[B,4,8,2]
///     %4 = scale %3 {factor = 0.5} : f32[B,4,8,2]
///
/// Rules: `transpose-transpose`, `identity-transpose`, `reshape-reshape`, `identity-reshape`,
/// `identity-slice`, `identity-cast`, `scale-one`, `shift-zero`, `scale-scale`, `shift-shift`, `cse`.
/// Merged scales and shifts round once instead of twice (x·a·b becomes x·(a·b)).
///
/// One sweep in execution order reaches the fixed point: when an op is visited its operands are final
/// (already rewritten), and rules are re-applied to the op until none matches. Ops left without users by a
/// rewrite are erased (except inputs); ops that were already unused are `dce`'s business.
public struct Canonicalize: Pass {
    public let name = "canonicalize"
    public let summary = "Fold transpose/reshape chains, drop identity layout ops and scale(1)/shift(0), merge scales and shifts, CSE."

    public init() {}

    /// Guards against two rules that undo each other: no op is rewritten more often than this.
    static let maxRewritesPerOp = 32

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        RewriteSweep(rules: Self.rules, maxRewritesPerOp: Self.maxRewritesPerOp).run(&graph)
    }

    /// The rules, tried in order on each op; `cse` comes last so it sees canonical forms.
    static let rules: [RewriteRule] = [
        RewriteRule("transpose-transpose") { op, state in
            guard case .transpose(let outer) = op.kind, let x = op.soleOperand, let inner = state.producer(of: x),
                  case .transpose(let first) = inner.kind, outer.allSatisfy(first.indices.contains) else { return nil }
            return .update(.transpose(perm: outer.map { first[$0] }), operands: inner.operands)
        },
        RewriteRule("identity-transpose") { op, _ in
            guard case .transpose(let perm) = op.kind, perm == Array(perm.indices), let x = op.soleOperand else { return nil }
            return .replace(with: x)
        },
        RewriteRule("reshape-reshape") { op, state in
            guard case .reshape = op.kind, let x = op.soleOperand, let inner = state.producer(of: x),
                  case .reshape = inner.kind else { return nil }
            return .update(.reshape, operands: inner.operands)
        },
        RewriteRule("identity-reshape") { op, state in
            guard case .reshape = op.kind, let x = op.soleOperand, state.type(of: x) == op.type else { return nil }
            return .replace(with: x)
        },
        RewriteRule("identity-slice") { op, state in
            guard case .slice(let axis, let start, let end) = op.kind, start == 0, let x = op.soleOperand,
                  let t = state.type(of: x), axis < t.rank, end == t.shape[axis] else { return nil }
            return .replace(with: x)
        },
        RewriteRule("identity-cast") { op, state in
            guard case .cast(let to) = op.kind, let x = op.soleOperand, state.type(of: x)?.dtype == to else { return nil }
            return .replace(with: x)
        },
        RewriteRule("scale-one") { op, _ in
            guard case .scale(1) = op.kind, let x = op.soleOperand else { return nil }
            return .replace(with: x)
        },
        RewriteRule("shift-zero") { op, _ in
            guard case .shift(let offset) = op.kind, offset == 0, let x = op.soleOperand else { return nil }
            return .replace(with: x)
        },
        RewriteRule("scale-scale") { op, state in
            guard case .scale(let b) = op.kind, let x = op.soleOperand, let inner = state.producer(of: x),
                  case .scale(let a) = inner.kind else { return nil }
            return .update(.scale(a * b), operands: inner.operands)
        },
        RewriteRule("shift-shift") { op, state in
            guard case .shift(let b) = op.kind, let x = op.soleOperand, let inner = state.producer(of: x),
                  case .shift(let a) = inner.kind else { return nil }
            return .update(.shift(a + b), operands: inner.operands)
        },
        RewriteRule("cse") { op, state in
            state.identical(to: op).map { .replace(with: $0) }
        },
    ]
}

