import M2Support
import M2Syntax
import Testing

/// Inline source with position markers (1️⃣, 2️⃣, …), in the style of swift-format's diagnostic
/// tests: the markers are removed and their line/column remembered.
struct MarkedSource {
    static let markers: [Character] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]

    let text: String
    let locations: [Character: (line: Int, column: Int)]

    init(_ marked: String) {
        var text = ""
        var locations: [Character: (line: Int, column: Int)] = [:]
        var line = 1, column = 1
        for c in marked {
            if Self.markers.contains(c) {
                locations[c] = (line, column)
                continue
            }
            text.append(c)
            if c == "\n" { line += 1; column = 1 } else { column += c.unicodeScalars.count }
        }
        self.text = text
        self.locations = locations
    }
}

/// Parses marked source and checks that exactly the expected diagnostics appear, each at its marker.
func assertParseDiagnostics(_ marked: String, _ expected: [(marker: Character, message: String)],
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let source = MarkedSource(marked)
    let (_, diagnostics) = Parser.parse(source.text, file: "t.m2")
    #expect(diagnostics.map(\.message) == expected.map(\.message), sourceLocation: sourceLocation)
    for (d, e) in zip(diagnostics, expected) {
        guard let want = source.locations[e.marker] else {
            Issue.record("marker \(e.marker) not in source", sourceLocation: sourceLocation)
            continue
        }
        #expect(d.location?.line == want.line && d.location?.column == want.column,
                "'\(d.message)' at \(d.location.map { "\($0.line):\($0.column)" } ?? "nowhere"), expected \(want.line):\(want.column)",
                sourceLocation: sourceLocation)
    }
}
