import M2IR
import M2Support
import Testing

@Suite struct IRParserTests {
    /// Fails to compile when an op kind is added without being listed here (and so in `everyOpGraph`).
    func mnemonicFamily(_ kind: OpKind) -> String {
        switch kind {
        case .input, .weight, .constant, .blockDiagMatmul, .unary, .scale, .shift, .binary, .layerNorm, .reduce,
             .gather, .shortConv, .longConv, .transpose, .reshape, .slice, .concat, .cast,
             .glu, .addLayerNorm, .fusedMatmul:
            return kind.mnemonic
        case .monarchConv:
            return kind.mnemonic
        }
    }

    @Test func everyOpKindRoundTrips() throws {
        let graph = try everyOpGraph()
        let options = IRPrinter.Options(locations: true)
        let text = IRPrinter.print(graph, options: options)
        let parsed = try IRParser.parse(text, constants: constantTable(graph))
        #expect(IRPrinter.print(parsed, options: options) == text)
        // The builder numbers values densely in order too, so the graphs are equal field by field
        // (names are comments in the text and are not read back).
        var unnamed = graph
        for i in unnamed.ops.indices { unnamed.ops[i].name = nil }
        #expect(parsed == unnamed)
        #expect(Verifier.verify(parsed).isEmpty)

        let printedFamilies = Set(parsed.ops.map { mnemonicFamily($0.kind) })
        let expected = ["input", "weight", "const", "blockdiag_matmul", "scale", "shift", "layer_norm", "gather",
                        "short_conv", "long_conv", "transpose", "reshape", "slice", "concat", "cast",
                        "glu", "add_layer_norm", "fused_matmul"]
            + ["monarch_conv"]
            + UnaryFn.allCases.map(\.rawValue) + BinaryFn.allCases.map(\.rawValue) + ReduceFn.allCases.map { "reduce_\($0.rawValue)" }
        #expect(printedFamilies == Set(expected))
    }

    @Test func handWrittenIRWithCommentsAndNamedValues() throws {
        let text = """
            # a comment line
            graph @g {
              %ids = input "ids" : i32[B,2]   # trailing comment
              %t = weight "t" : f32[5,3]
              %e = gather %t, %ids : f32[B,2,3]
              %s = scale %e {factor = 2} : f32[B,2,3] #{fusion.group = 7}
              output "y" = %s
            }
            """
        let g = try IRParser.parse(text)
        #expect(g.ops.count == 4)
        #expect(g.ops[3].kind == .scale(2))
        #expect(g.ops[3].operands == [g.ops[2].result])
        #expect(g.ops[3].annotations == ["fusion.group": .int(7)])
        #expect(g.outputs == [GraphOutput(name: "y", value: g.ops[3].result)])
        #expect(g.nextValue == 4)
    }

    @Test func specialDoublesRoundTrip() throws {
        var b = GraphBuilder(name: "d")
        let c = try b.constant([.infinity, -.infinity, 0.1, -0.0], shape: [4])
        b.output("c", c)
        let parsed = try IRParser.parse(IRPrinter.print(b.graph))
        guard case .constant(let data) = parsed.ops[0].kind else { Issue.record("not a constant"); return }
        #expect(data.values.map(\.bitPattern) == [Double.infinity, -.infinity, 0.1, -0.0].map(\.bitPattern))
    }

    func parseError(_ text: String, constants: [UInt64: ConstantData] = [:]) -> IRParseError? {
        do {
            _ = try IRParser.parse(text, constants: constants, file: "t.ir")
            return nil
        } catch {
            return error
        }
    }

    @Test func undefinedOperandIsReportedAtItsUse() throws {
        let e = try #require(parseError("graph @g {\n  %0 = exp %1 : f32[2]\n  %1 = input \"x\" : f32[2]\n}"))
        #expect(e.location == SourceLocation(file: "t.ir", line: 2, column: 12))
        #expect(e.message.contains("undefined value %1"))
    }

    @Test func unknownMnemonicSuggestsTheClosest() throws {
        let e = try #require(parseError("graph @g {\n  %0 = input \"x\" : f32[B,2]\n  %1 = trnaspose %0 {perm = [0]} : f32[B,2]\n}"))
        #expect(e.location.line == 3 && e.location.column == 8)
        #expect(e.message == "unknown op 'trnaspose' (did you mean 'transpose'?)")
    }

    @Test func missingConstantDataIsAClearError() throws {
        let text = "graph @g {\n  %0 = const #00000000000000ff : f32[20]\n}"
        let e = try #require(parseError(text))
        #expect(e.location.line == 2 && e.location.column == 14)
        #expect(e.message.contains("no data for constant #00000000000000ff"))
    }

    @Test func constantDataMustMatchItsDigest() throws {
        let data = ConstantData((0..<20).map(Double.init))
        let text = "graph @g {\n  %0 = const #\(data.digestString) : f32[20]\n}"
        #expect(parseError(text, constants: [data.digest: data]) == nil)
        let e = try #require(parseError(text, constants: [data.digest: ConstantData([1])]))
        #expect(e.message.contains("has digest"))
    }

    @Test func syntaxErrorsSayWhatWasExpected() throws {
        let missingType = try #require(parseError("graph @g {\n  %0 = input \"x\"\n}"))
        #expect(missingType.message == "expected ':' before the result type, found '}'")
        #expect(missingType.location.line == 3 && missingType.location.column == 1)

        let badDType = try #require(parseError("graph @g {\n  %0 = input \"x\" : f16[2]\n}"))
        #expect(badDType.message.hasPrefix("expected an element type (f32, i32)"))

        let missingAttribute = try #require(parseError("graph @g {\n  %0 = input \"x\" : f32[2]\n  %1 = slice %0 {axis = 0, start = 0} : f32[1]\n}"))
        #expect(missingAttribute.message == "'slice' needs attribute 'end' (an integer)")

        let extraAttribute = try #require(parseError("graph @g {\n  %0 = input \"x\" : f32[2]\n  %1 = exp %0 {axis = 0} : f32[2]\n}"))
        #expect(extraAttribute.message == "'exp' has no attribute 'axis'")
        #expect(extraAttribute.location.column == 16)

        let wrongValueType = try #require(parseError("graph @g {\n  %0 = input \"x\" : f32[2]\n  %1 = scale %0 {factor = \"two\"} : f32[2]\n}"))
        #expect(wrongValueType.message == "attribute 'factor' of 'scale' must be a number, got \"two\"")

        let redefined = try #require(parseError("graph @g {\n  %0 = input \"x\" : f32[2]\n  %0 = exp %0 : f32[2]\n}"))
        #expect(redefined.message == "value %0 is defined twice")

        let trailing = try #require(parseError("graph @g {\n}\nextra"))
        #expect(trailing.message == "expected end of input after the graph, found extra")
    }

    @Test func errorDescriptionNamesFileLineAndColumn() {
        let e = IRParseError("boom", at: SourceLocation(file: "a.ir", line: 4, column: 2))
        #expect(e.description == "a.ir:4:2: error: boom")
    }
}

@Suite struct IRParserRobustnessTests {
    /// Every truncation of a valid dump is either still valid or a reported error, never a crash.
    @Test func truncatedInputNeverCrashes() throws {
        let graph = try everyOpGraph()
        let scalars = Array(IRPrinter.print(graph, options: .init(locations: true)).unicodeScalars)
        var errors = 0
        for length in stride(from: 0, to: scalars.count, by: 7) {
            var prefix = ""
            prefix.unicodeScalars.append(contentsOf: scalars[..<length])
            do {
                _ = try IRParser.parse(prefix, constants: constantTable(graph))
            } catch {
                errors += 1
                #expect(error.location.line >= 1 && error.location.column >= 1)
            }
        }
        #expect(errors == (scalars.count + 6) / 7)
    }
}
