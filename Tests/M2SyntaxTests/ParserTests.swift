import M2Support
import M2Syntax
import Testing

@Suite struct ParserTests {
    /// Parses, prints, and checks the canonical text; then re-parses the printed text and checks
    /// that printing is a fixed point (the tree survived the round trip).
    func roundTrip(_ source: String, _ canonical: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let (file, diagnostics) = Parser.parse(source, file: "t.m2")
        #expect(diagnostics.isEmpty, "\(diagnostics)", sourceLocation: sourceLocation)
        let printed = ASTPrinter.print(file)
        #expect(printed == canonical, sourceLocation: sourceLocation)
        let (again, _) = Parser.parse(printed, file: "t.m2")
        #expect(ASTPrinter.print(again) == printed, sourceLocation: sourceLocation)
    }

    @Test func blockWithTypedParams() {
        roundTrip("block M(u: f32[L, H], out: int, bias: bool = true,\n eps: float = 1e-5) {\n  return u\n}",
                  "block M(u: f32[L, H], out: int, bias: bool = true, eps: float = 1e-05) {\n  return u\n}\n")
    }

    @Test func modelStatements() {
        roundTrip("""
            import "lib.m2"
            model m(n: int = 4) {
              input ids: i32[n] = 0
              let (a, b) = split(x, 2, axis: -1); probe p = a
              x = Layer(x, k: 2) @ "layer.{i + 1}"
              for i in 0..<n { y = y + i }
              if a > 1 and not b { c = 1 } else if a == 2 { c = 2 } else { c = 3 }
              output o = -x[0] * (y - 1) // 2
              assert(n % 2 == 0, "even")
            }
            """, """
            import "lib.m2"
            model m(n: int = 4) {
              input ids: i32[n] = 0
              let (a, b) = split(x, 2, axis: -1)
              probe p = a
              x = Layer(x, k: 2) @ "layer.{i + 1}"
              for i in 0..<n {
                y = y + i
              }
              if a > 1 and not b {
                c = 1
              } else if a == 2 {
                c = 2
              } else {
                c = 3
              }
              output o = -x[0] * (y - 1) // 2
              assert(n % 2 == 0, "even")
            }

            """)
    }

    @Test func precedenceAndAssociativity() throws {
        let cases = ["a - b - c": "a - b - c", "a - (b - c)": "a - (b - c)", "(a + b) * c": "(a + b) * c",
                     "a or b and c": "a or b and c", "(a or b) and c": "(a or b) and c", "- -a": "--a",
                     "[1, (2, 3), (4,)]": "[1, (2, 3), (4,)]"]
        for (input, expected) in cases {
            let (e, diagnostics) = Parser.parseExpression(input, file: "t.m2")
            #expect(diagnostics.isEmpty)
            #expect(e.map(ASTPrinter.print) == expected, "\(input)")
        }
    }

    @Test func binaryExpressionPointsAtItsOperator() throws {
        let (e, _) = Parser.parseExpression("abc + d", file: "t.m2")
        #expect(try #require(e).range.start.column == 5)
    }

    @Test func missingClosingParenthesis() {
        assertParseDiagnostics("model m() {\n  let x = f(a, b1️⃣\n}\n", [("1️⃣", "expected ')' to close the argument list, found '}'")])
    }

    @Test func severalErrorsAreReportedWithRecovery() {
        assertParseDiagnostics("""
            model m() {
              let 1️⃣= 3
              let y = 2️⃣)
              output z = y
              input ids3️⃣
            }
            """, [("1️⃣", "expected a name after 'let', found '='"),
                  ("2️⃣", "expected an expression, found ')'"),
                  ("3️⃣", "expected ':' after the input name (inputs need a type, e.g. i32[seq_len]), found end of line")])
    }

    @Test func topLevelRecoveryFindsTheNextDeclaration() {
        let marked = "1️⃣oops here\nblock B(x) { return x }\nmodel m() {\n  let a = 2️⃣@\n}\n"
        assertParseDiagnostics(marked, [("1️⃣", "expected 'import', 'block' or 'model' at top level, found 'oops'"),
                                        ("2️⃣", "expected an expression, found '@'")])
        let (file, _) = Parser.parse(MarkedSource(marked).text, file: "t.m2")
        #expect(file.blocks.map(\.name) == ["B"])
        #expect(file.models.map(\.name) == ["m"])
    }

    @Test func unknownTypeSuggests() {
        let source = MarkedSource("block B(x: 1️⃣flaot) { return x }")
        let (_, diagnostics) = Parser.parse(source.text, file: "t.m2")
        #expect(diagnostics.map(\.message) == ["unknown type 'flaot'"])
        #expect(diagnostics.first?.hint == "did you mean 'float'?")
        #expect(diagnostics.first?.location?.column == source.locations["1️⃣"]?.column)
    }

    @Test func prefixOnlyAfterACall() {
        assertParseDiagnostics("model m() {\n  let a = x 1️⃣@ \"p\"\n}", [("1️⃣", "a weight prefix '@' must follow a block call")])
    }

    @Test func chainedComparisonIsAnError() {
        assertParseDiagnostics("model m() {\n  let a = 1 < 2 1️⃣< 3\n}", [("1️⃣", "comparisons cannot be chained")])
    }

    @Test func unterminatedStringIsReportedOnce() {
        assertParseDiagnostics("model m() {\n  let a = 1️⃣\"abc\n  let b = 2\n}", [("1️⃣", "unterminated string literal")])
    }

    @Test func errorInsideInterpolationPointsIntoTheString() {
        assertParseDiagnostics("model m() {\n  let a = F() @ \"l.{i +1️⃣}\"\n}", [("1️⃣", "expected an expression, found end of file")])
    }

    @Test func deepNestingIsLimited() {
        for opener in ["(", "-", "[", "not "] {
            let closer = opener == "(" ? ")" : opener == "[" ? "]" : ""
            let text = "model m() {\n  let a = " + String(repeating: opener, count: 10_000) + "1"
                + String(repeating: closer, count: 10_000) + "\n}\n"
            let (_, diagnostics) = Parser.parse(text, file: "t.m2")
            #expect(diagnostics.first?.message == "nesting is too deep (more than \(Parser.maxNesting) levels)", "\(opener)")
        }
        let blocks = "model m() {\n" + String(repeating: "if true {\n", count: 1000) + String(repeating: "}\n", count: 1000) + "}\n"
        #expect(Parser.parse(blocks, file: "t.m2").diagnostics.first?.message.contains("nesting is too deep") == true)
    }

    @Test func positionalAfterNamedArgument() {
        assertParseDiagnostics("model m() {\n  let a = f(x: 1, 1️⃣2)\n}", [("1️⃣", "positional argument after a named argument")])
    }

    @Test func secondModelIsAnError() {
        assertParseDiagnostics("model a() {\n}\nmodel 1️⃣b() {\n}", [("1️⃣", "a file may define only one model")])
    }
}
