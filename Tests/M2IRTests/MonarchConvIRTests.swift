import M2IR
import Testing

/// `monarch_conv`'s text form and shape rule (OpKind.monarchConv, MonarchSpectrumOrder).
@Suite struct MonarchConvIRTests {
    static let text = """
    graph @m {seq_len = 8} {
      %0 = input "x" : f32[B,2,8]
      %1 = input "g" : f32[B,2,8]
      %2 = weight "s" : f32[2,2,16]
      %3 = monarch_conv %0, %1, %1, %0, %2 {factors = [4,4], pre_gate = true, post_gate = true, residual = true} : f32[B,2,8]
      output "y" = %3
    }
    """

    @Test func printsAndParsesWithAllAttributes() throws {
        let graph = try IRParser.parse(Self.text)
        #expect(Verifier.verify(graph).isEmpty)
        #expect(graph.ops[3].kind == .monarchConv(factors: [4, 4], preGate: true, postGate: true, residual: true))
        #expect(IRPrinter.print(graph).contains("monarch_conv %0, %1, %1, %0, %2 {factors = [4,4], pre_gate = true, post_gate = true, residual = true} : f32[B,2,8]"))
    }

    @Test(arguments: [
        ("{factors = [4,4], pre_gate = true, post_gate = true, residual = false}", "monarch_conv takes 4 operand(s), got 5"),
        ("{factors = [2,8], pre_gate = true, post_gate = true, residual = true}", "operand"),
        ("{factors = [4,2], pre_gate = true, post_gate = true, residual = true}", "multiply to 8, but sequence length 8 needs N = 2L = 16"),
        ("{factors = [1,16], pre_gate = true, post_gate = true, residual = true}", "factor 1 is outside 2…64"),
        ("{factors = [3,3], pre_gate = true, post_gate = true, residual = true}", "the first factor (3) must be even"),
    ])
    func verifierNamesTheBrokenRule(_ attributes: String, _ message: String) throws {
        let broken = Self.text.replacingOccurrences(
            of: "{factors = [4,4], pre_gate = true, post_gate = true, residual = true}", with: attributes)
        let graph = try IRParser.parse(broken)
        let errors = Verifier.verify(graph).map(\.message)
        if message == "operand" {
            #expect(errors.isEmpty, "[2,8] is a valid factorization of 16")
        } else {
            #expect(errors.contains { $0.contains(message) }, "\(errors)")
        }
    }

    @Test func gateAndSpectrumShapesAreChecked() throws {
        let wrongGate = Self.text.replacingOccurrences(of: "input \"g\" : f32[B,2,8]", with: "input \"g\" : f32[B,1,8]")
        #expect(Verifier.verify(try IRParser.parse(wrongGate)).contains { $0.message.contains("pre-gate must be f32[B,2,8]") })
        let wrongSpectrum = Self.text.replacingOccurrences(of: "weight \"s\" : f32[2,2,16]", with: "weight \"s\" : f32[2,2,8]")
        #expect(Verifier.verify(try IRParser.parse(wrongSpectrum)).contains { $0.message.contains("spectrum must be f32[2,2,16]") })
    }

    /// Position k1·N2 + k2 holds frequency k1 + N1·k2 (two levels), and every frequency appears once.
    @Test func frequencyOrderIsTheDigitReversal() {
        #expect(MonarchSpectrumOrder.frequencies(factors: [2, 3]) == [0, 2, 4, 1, 3, 5])
        let order = MonarchSpectrumOrder.frequencies(factors: [4, 3, 2])
        #expect(Set(order) == Set(0..<24))
        // Position k1·6 + k2·2 + k3 ↔ frequency k1 + 4·k2 + 12·k3.
        #expect(order[1 * 6 + 2 * 2 + 1] == 1 + 4 * 2 + 12 * 1)
    }
}
