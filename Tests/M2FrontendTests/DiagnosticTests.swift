import M2Frontend
import M2IR
import M2Support
import Testing

@Suite struct DiagnosticTests {
    @Test func undefinedNameSuggestsCloseMatch() throws {
        let src = """
        model m(n: int = 4) {
          input ids: i32[n]
          let hidden = Embedding(ids, rows: 10, dim: 8) @ "emb"
          output y = hiden
        }
        """
        let ds = diagnostics(src)
        try #require(ds.count == 1)
        #expect(ds[0].message == "undefined name 'hiden'")
        #expect(ds[0].hint == "did you mean 'hidden'?")
        #expect(ds[0].location == SourceLocation(file: "test.m2", line: 4, column: 14))
    }

    @Test func unknownBlockAndNamedArgumentSuggest() throws {
        let src = """
        model m(n: int = 4) {
          input ids: i32[n]
          let a = Embeding(ids, rows: 10, dim: 8)
          let b = Embedding(ids, row: 10, dim: 8)
          output y = Linear(Embedding(ids, rows: 10, dim: 8) @ "e", outt: 3)
        }
        """
        let ds = diagnostics(src)
        #expect(ds.map(\.message) == ["unknown block 'Embeding'", "Embedding has no parameter 'row'", "Linear has no parameter 'outt'"])
        #expect(ds.map(\.hint) == ["did you mean 'Embedding'?", "did you mean 'rows'?", "did you mean 'out'?"])
        #expect(ds.map { $0.location?.line } == [3, 4, 5])
    }

    @Test func missingArgumentAndWrongType() throws {
        let src = """
        model m(n: int = 4) {
          input ids: i32[n]
          let e = Embedding(ids, rows: 10, dim: 8) @ "e"
          let a = Linear(e)
          let b = Linear(e, out: 2.5)
          output y = e
        }
        """
        let ds = diagnostics(src)
        #expect(ds.map(\.message) == ["missing argument 'out' in call to Linear",
                                      "argument 'out' of Linear must be int, got float 2.5"])
        #expect(ds[1].location == SourceLocation(file: "test.m2", line: 5, column: 26))
    }

    /// A shape error inside a block is reported at the primitive, with a note at the call site,
    /// and reported once although the block is called from every loop iteration.
    @Test func shapeErrorInBlockHasCallSiteNoteAndIsDeduplicated() throws {
        let src = """
        block Bad(x) {
          let w = weight("w", [3, 5])
          return blockdiag_matmul(x, w)
        }
        model m(n: int = 4) {
          input ids: i32[n]
          let e = Embedding(ids, rows: 10, dim: 8) @ "e"
          for i in 0..<3 {
            let y = Bad(e) @ "layer.{i}"
          }
          output y = e
        }
        """
        let ds = diagnostics(src)
        try #require(ds.count == 1)
        #expect(ds[0].message.contains("blockdiag_matmul: input has 8 features"))
        #expect(ds[0].location == SourceLocation(file: "test.m2", line: 3, column: 10))
        #expect(ds[0].notes.count == 2)
        #expect(ds[0].notes[0].message == "in Bad, called from here")
        #expect(ds[0].notes[0].location == SourceLocation(file: "test.m2", line: 9, column: 13))
        #expect(ds[0].notes[1].message.contains("occurs 3 times"))
    }

    @Test func recursionIsReportedWithTheCycle() throws {
        let src = """
        block A(x) { return B(x) }
        block B(x) { return A(x) }
        model m(n: int = 4) {
          input ids: i32[n]
          output y = A(Embedding(ids, rows: 10, dim: 8) @ "e")
        }
        """
        let ds = diagnostics(src)
        try #require(ds.count == 1)
        #expect(ds[0].message == "recursive block call: A → B → A")
        #expect(ds[0].location?.line == 2)
    }

    @Test func failedStatementDoesNotCascade() throws {
        let src = """
        model m(n: int = 4) {
          input ids: i32[n]
          let e = Embedding(ids, rows: 10, dim: 8) @ "e"
          let bad = e + undefined_thing
          let worse = bad * 2
          let alsoBad = 7 / 2
          output y = worse
        }
        """
        let ds = diagnostics(src)
        #expect(ds.map(\.message) == ["undefined name 'undefined_thing'", "7 / 2 is not a whole number"])
        #expect(ds[1].hint == "use '//' to round down or ceildiv(7, 2) to round up")
    }

    @Test func assignmentToUndefinedHintsLet() throws {
        let ds = diagnostics("model m() {\n  x = 3\n  output y = zeros([2])\n}")
        try #require(ds.count == 1)
        #expect(ds[0].message == "cannot assign to undefined variable 'x'")
        #expect(ds[0].hint?.hasPrefix("use 'let x = …'") == true)
    }

    @Test func dimensionBindingMismatchIsReportedAtTheArgument() throws {
        let src = """
        block Pair(a: f32[L, H], b: f32[L, H]) { return a + b }
        model m(n: int = 4) {
          input ids: i32[n]
          let e = Embedding(ids, rows: 10, dim: 8) @ "e"
          let f = Embedding(ids, rows: 10, dim: 6) @ "f"
          output y = Pair(e, f)
        }
        """
        let ds = diagnostics(src)
        try #require(ds.count == 1)
        #expect(ds[0].message == "argument 'b' of Pair has size 6 in dimension 1, but its type [L, H] requires 8")
        #expect(ds[0].location == SourceLocation(file: "test.m2", line: 6, column: 22))
    }

    @Test func unknownOverrideAndOutputListTheAvailableNames() throws {
        var options = ElaborationOptions()
        options.paramOverrides = ["seq_lenn": .int(3)]
        options.outputs = ["logits"]
        let ds = diagnostics("model m(seq_len: int = 4) {\n  output y = zeros([seq_len])\n}", options: options)
        #expect(ds.map(\.message) == ["model 'm' has no parameter 'seq_lenn'", "unknown output 'logits'"])
        #expect(ds[0].hint == "did you mean 'seq_len'? parameters: seq_len")
        #expect(ds[1].hint == "the model's outputs are 'y'")
    }

    @Test func parseErrorsAreAllReportedAndRendered() throws {
        let src = "model m() {\n  let = 3\n  let y = (1 +\n  output z = zeros([2])\n}\n"
        let ds = diagnostics(src)
        #expect(ds.count == 2)
        let text = render(ds, src)
        #expect(text.contains("test.m2:2:7: error: expected a name after 'let', found '='"))
        #expect(text.contains(" 2 |   let = 3\n   |       ^"))
    }

    @Test func renderedErrorShowsSourceCaretAndNote() throws {
        let src = """
        block Bad(x) {
          return x + weight("w", [3])
        }
        model m() {
          let e = zeros([4, 8])
          output y = Bad(e) @ "bad"
        }
        """
        let ds = diagnostics(src)
        let text = render(ds, src)
        #expect(text == """
        test.m2:2:12: error: shapes [4, 8] and [3] do not broadcast (dimension 1: 8 vs 3)
         2 |   return x + weight("w", [3])
           |            ^
        test.m2:6:14: note: in Bad, called from here
         6 |   output y = Bad(e) @ "bad"
           |              ^~~

        """)
    }
}
