import M2Support

/// Where an elaboration is inside the block call tree.
struct CallFrame {
    var block: String
    var callRange: SourceRange
    /// The weight prefix in effect inside this call (`bert.encoder.layer.3.attention`).
    var prefix: String
}

/// Collects elaboration diagnostics. Blocks are expanded once per call, so a mistake inside a
/// block body would otherwise be reported at every call site; identical diagnostics (same
/// message, place and hint) are kept once, with a note counting the repeats. Diagnostics
/// raised inside a block get "called from" notes, innermost call first.
struct DiagnosticSink {
    private struct Key: Hashable {
        var message: String
        var range: SourceRange?
        var hint: String?
    }

    private var diagnostics: [Diagnostic] = []
    private var counts: [Int] = []
    private var indexByKey: [Key: Int] = [:]

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func report(_ d: Diagnostic, frames: [CallFrame]) {
        let key = Key(message: d.message, range: d.range, hint: d.hint)
        if let i = indexByKey[key] {
            counts[i] += 1
            return
        }
        var d = d
        for frame in frames.reversed() {
            d.notes.append(Diagnostic(.note, "in \(frame.block), called from here", at: frame.callRange))
        }
        indexByKey[key] = diagnostics.count
        diagnostics.append(d)
        counts.append(1)
    }

    var all: [Diagnostic] {
        zip(diagnostics, counts).map { d, n in
            guard n > 1 else { return d }
            var d = d
            d.notes.append(Diagnostic(.note, "the same error occurs \(n) times (once per call or loop iteration); shown once"))
            return d
        }
    }
}
