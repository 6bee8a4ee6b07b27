import M2Support
import Testing

/// The one escaper behind the IR, safetensors JSON, .m2 and DOT writers: each format's rules.
@Suite struct StringLiteralStyleTests {
    let tricky = "a\"b\\c\nd\te\r{f}\u{1b}"

    @Test func eachFormatEscapesItsOwnSpecialCharacters() {
        #expect(StringLiteralStyle.ir.escape(tricky) == #"a\"b\\c\nd\te\u{d}{f}\u{1b}"#)
        #expect(StringLiteralStyle.json.escape(tricky) == #"a\"b\\c\nd\te\r{f}\u001b"#)
        #expect(StringLiteralStyle.m2Source.escape(tricky) == #"a\"b\\c\nd\te"# + "\r" + #"\{f\}"# + "\u{1b}")
        #expect(StringLiteralStyle.dot.escape(tricky) == #"a\"b\\c\nd"# + "\te\r{f}\u{1b}")
        #expect(StringLiteralStyle.json.quote("k") == "\"k\"")
    }
}
