import M2Support
import M2Syntax
import Testing

@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        let (tokens, diagnostics) = Lexer.tokenize(text, file: "t.m2")
        #expect(diagnostics.isEmpty)
        return tokens.map(\.kind)
    }

    @Test func tokensOfAStatement() {
        #expect(kinds("let x = f(a, out: 3) @ \"p\" # comment\n") == [
            .keyword(.let), .identifier("x"), .symbol("="), .identifier("f"), .symbol("("), .identifier("a"),
            .symbol(","), .identifier("out"), .symbol(":"), .int(3), .symbol(")"), .symbol("@"),
            .string([.text("p")]), .newline, .endOfFile,
        ])
    }

    @Test func numbersAndRanges() {
        #expect(kinds("0..<12 1e-12 2.5 30_528 3E+2") == [
            .int(0), .symbol("..<"), .int(12), .float(1e-12), .float(2.5), .int(30528), .float(300), .endOfFile,
        ])
    }

    @Test func operators() {
        #expect(kinds("a // b % c == d != e <= f >= g") == [
            .identifier("a"), .symbol("//"), .identifier("b"), .symbol("%"), .identifier("c"), .symbol("=="),
            .identifier("d"), .symbol("!="), .identifier("e"), .symbol("<="), .identifier("f"), .symbol(">="),
            .identifier("g"), .endOfFile,
        ])
    }

    @Test func newlinesInsideBracketsAreIgnored() {
        #expect(kinds("f(a,\n  b)\n[1,\n 2]\nx") == [
            .identifier("f"), .symbol("("), .identifier("a"), .symbol(","), .identifier("b"), .symbol(")"), .newline,
            .symbol("["), .int(1), .symbol(","), .int(2), .symbol("]"), .newline, .identifier("x"), .endOfFile,
        ])
    }

    @Test func semicolonEndsAStatement() {
        #expect(kinds("a; b") == [.identifier("a"), .newline, .identifier("b"), .endOfFile])
    }

    @Test func stringInterpolationRecordsItsPosition() throws {
        let (tokens, diagnostics) = Lexer.tokenize("\"layer.{i + 1}.x\"", file: "t.m2")
        #expect(diagnostics.isEmpty)
        #expect(tokens[0].kind == .string([.text("layer."), .interpolation(source: "i + 1", start: SourceLocation(file: "t.m2", line: 1, column: 9)), .text(".x")]))
    }

    @Test func escapes() {
        #expect(kinds(#""a\"b\n\{""#) == [.string([.text("a\"b\n{")]), .endOfFile])
    }

    @Test func unterminatedStringAndBadCharacter() {
        let (tokens, diagnostics) = Lexer.tokenize("let s = \"abc\nlet t = $", file: "t.m2")
        #expect(diagnostics.map(\.message) == ["unterminated string literal", "unexpected character '$'"])
        #expect(diagnostics.map { $0.location?.line } == [1, 2])
        #expect(diagnostics[0].location?.column == 9)
        #expect(tokens.last?.kind == .endOfFile)
    }
}
