/// A small FileCheck: checks lines of text against `CHECK:`-style directives matched as substrings.
///
/// - `CHECK: s` — a later line contains `s` (searching from the line after the previous match);
/// - `CHECK-NEXT: s` — the very next line contains `s`;
/// - `CHECK-NOT: s` — no line between the previous match and the next match contains `s`;
/// - `CHECK-LABEL: s` — like CHECK, but labels are matched first and split the text into blocks, so the
///   checks between two labels can only match between them (a failure cannot run into the next block).
struct FileCheck {
    enum Kind: String, CaseIterable {
        // Longest spellings first, so `CHECK-NEXT:` is not read as `CHECK:`.
        case label = "CHECK-LABEL:", next = "CHECK-NEXT:", not = "CHECK-NOT:", check = "CHECK:"
    }

    struct Directive {
        var kind: Kind
        var pattern: String
        /// Line of the directive in its file, for failure messages.
        var line: Int
    }

    var directives: [Directive]

    /// Directives found anywhere in `text` (typically in `#` comments of an IR file).
    init(directivesIn text: String) {
        directives = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for kind in Kind.allCases {
                guard let r = line.range(of: kind.rawValue) else { continue }
                let pattern = line[r.upperBound...].trimmingWhitespace()
                directives.append(Directive(kind: kind, pattern: pattern, line: i + 1))
                break
            }
        }
    }

    /// Failure messages; empty when every directive holds.
    func match(_ output: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func find(_ pattern: String, in range: Range<Int>) -> Int? {
            range.first { lines[$0].contains(pattern) }
        }

        // Labels first: each block runs from its label to the next one.
        var blocks: [(directives: ArraySlice<Directive>, range: Range<Int>)] = []
        var searchFrom = 0
        var blockStart = 0, blockDirectivesStart = 0
        for (i, d) in directives.enumerated() where d.kind == .label {
            guard let at = find(d.pattern, in: searchFrom..<lines.count) else {
                return ["line \(d.line): CHECK-LABEL: '\(d.pattern)' not found in the output"]
            }
            blocks.append((directives[blockDirectivesStart..<i], blockStart..<at))
            blockStart = at
            blockDirectivesStart = i
            searchFrom = at + 1
        }
        blocks.append((directives[blockDirectivesStart...], blockStart..<lines.count))

        var failures: [String] = []
        for block in blocks {
            var position = block.range.lowerBound  // next line a CHECK may match
            var lastMatch: Int?
            var pendingNots: [Directive] = []
            func checkNots(upTo end: Int) {
                for d in pendingNots {
                    if let bad = find(d.pattern, in: position..<max(position, end)) {
                        failures.append("line \(d.line): CHECK-NOT: '\(d.pattern)' found on output line \(bad + 1): \(lines[bad])")
                    }
                }
                pendingNots = []
            }
            for d in block.directives {
                switch d.kind {
                case .not:
                    pendingNots.append(d)
                case .next:
                    let expected = (lastMatch ?? block.range.lowerBound - 1) + 1
                    guard expected < block.range.upperBound, lines[expected].contains(d.pattern) else {
                        let found = expected < lines.count ? lines[expected] : "end of output"
                        failures.append("line \(d.line): CHECK-NEXT: '\(d.pattern)' not on output line \(expected + 1), which is: \(found)")
                        return failures
                    }
                    checkNots(upTo: expected)
                    lastMatch = expected
                    position = expected + 1
                case .check, .label:
                    guard let at = find(d.pattern, in: position..<block.range.upperBound) else {
                        failures.append("line \(d.line): \(d.kind.rawValue) '\(d.pattern)' not found after output line \(position)")
                        return failures
                    }
                    checkNots(upTo: at)
                    lastMatch = at
                    position = at + 1
                }
            }
            checkNots(upTo: block.range.upperBound)
        }
        return failures
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
