import M2IR
import Testing

@Suite struct DotPrinterTests {
    @Test func isDeterministicAndIndependentOfRawValueNumbers() throws {
        let g = try everyOpGraph()
        let dot = DotPrinter.render(g)
        #expect(dot == DotPrinter.render(g))
        let reparsed = try IRParser.parse(IRPrinter.print(g), constants: constantTable(g))
        var unnamed = g
        for i in unnamed.ops.indices { unnamed.ops[i].name = nil }
        #expect(DotPrinter.render(reparsed) == DotPrinter.render(unnamed))
    }

    @Test func hasOneNodePerOpEdgesFromOperandsAndOutputNodes() throws {
        let g = try IRParser.parse("""
            graph @g {
              %0 = input "ids" : i32[B,2]
              %1 = weight "bert.encoder.layer.11.mlp.gated_layers.weight" : f32[5,3]
              %2 = gather %1, %0 : f32[B,2,3]
              output "y" = %2
              probe "p\\"q" = %1
            }
            """)
        let dot = DotPrinter.render(g)
        #expect(dot.hasPrefix("digraph \"g\" {\n"))
        #expect(dot.contains(#"n0 [label="%0 input\nids\ni32[B,2]", shape=invhouse];"#))
        #expect(dot.contains(#"n1 [label="%1 weight\n…ayer.11.mlp.gated_layers.weight\nf32[5,3]", shape=cylinder];"#))
        #expect(dot.contains("n1 -> n2;\n  n0 -> n2;"))
        #expect(dot.contains("n2 -> out0;"))
        #expect(dot.contains(#"out1 [label="probe\np\"q", shape=note, style=dashed];"#))
        #expect(dot.split(separator: "\n").filter { $0.contains(" -> ") }.count == 4)
    }
}
