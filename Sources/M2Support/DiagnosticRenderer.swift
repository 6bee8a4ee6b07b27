/// Renders diagnostics with the offending source line and a caret underline.
/// Sources are looked up by file name; a diagnostic whose file is unknown is printed without excerpt.
public struct DiagnosticRenderer: Sendable {
    public var sources: [String: String]

    public init(sources: [String: String] = [:]) { self.sources = sources }

    public func render(_ d: Diagnostic) -> String {
        var out = ""
        if let loc = d.range?.start { out += "\(loc): " }
        out += "\(d.severity.rawValue): \(d.message)\n"
        if let range = d.range, let text = sources[range.start.file],
           let line = Self.line(range.start.line, of: text) {
            let gutter = String(range.start.line)
            out += " \(gutter) | \(line)\n"
            let pad = String(repeating: " ", count: gutter.count)
            let lead = String(line.prefix(max(0, range.start.column - 1)).map { $0 == "\t" ? "\t" : " " })
            let maxLen = max(1, min(range.length, line.count - (range.start.column - 1)))
            out += " \(pad) | \(lead)^\(String(repeating: "~", count: max(0, maxLen - 1)))\n"
        }
        if let hint = d.hint { out += "hint: \(hint)\n" }
        for n in d.notes { out += render(n) }
        return out
    }

    public func render(_ ds: [Diagnostic]) -> String { ds.map(render).joined() }

    static func line(_ n: Int, of text: String) -> String? {
        var current = 1
        var startIndex = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "\n" {
                if current == n { return String(text[startIndex..<i]) }
                current += 1
                startIndex = text.index(after: i)
            }
            i = text.index(after: i)
        }
        return current == n ? String(text[startIndex..<text.endIndex]) : nil
    }
}

/// Edit distance for "did you mean" hints.
public func closestMatch(to name: String, in candidates: some Sequence<String>, maxDistance: Int = 3) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = levenshtein(name, c)
        if d <= maxDistance, best == nil || d < best!.1 || (d == best!.1 && c < best!.0) { best = (c, d) }
    }
    return best?.0
}

public func levenshtein(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
