import M2IR
import M2Passes
import Testing

@Suite struct DeadCodeEliminationTests {
    @Test func keepsEverythingAnOutputNeedsAndDropsTheRest() throws {
        var graph = try IRParser.parse("""
            graph @g {
              %0 = input "x" : f32[B,2]
              %1 = input "unused" : f32[B,2]
              %2 = const dense<[1.0, 2.0]> : f32[2]
              %3 = const dense<[5.0, 6.0]> : f32[2]
              %4 = add %0, %2 : f32[B,2]
              %5 = add %4, %3 : f32[B,2]
              %6 = exp %5 : f32[B,2]
              output "y" = %4
            }
            """)
        let kept = [0, 1, 2, 4].map { graph.ops[$0] }
        var context = PassContext()
        try DeadCodeElimination().run(&graph, &context)
        #expect(graph.ops == kept)
        #expect(Verifier.verify(graph).isEmpty)
    }

    @Test func graphWithoutOutputsKeepsOnlyInputs() throws {
        var graph = try IRParser.parse("graph @g {\n  %0 = input \"x\" : f32[B,2]\n  %1 = exp %0 : f32[B,2]\n}")
        var context = PassContext()
        try DeadCodeElimination().run(&graph, &context)
        #expect(graph.ops.map(\.kind) == [.input(name: "x")])
    }
}
