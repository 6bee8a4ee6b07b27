import M2IR
import M2Passes
import M2Support
import Testing

@Suite struct CanonicalizeTests {
    func canonicalize(_ graph: Graph) throws -> Graph {
        var g = graph
        var context = PassContext()
        try PassPipeline([Canonicalize()]).run(&g, context: &context)
        return g
    }

    @Test func rewrittenOpsKeepLocationNameAndAnnotations() throws {
        var b = GraphBuilder(name: "g")
        let x = try b.input("x", type: .f32([2, 3], batched: true))
        let loc = SourceLocation(file: "m.m2", line: 9, column: 4)
        let t1 = try b.add(.transpose(perm: [1, 0]), [x])
        let s1 = try b.add(.scale(2), [t1])
        let s2 = try b.add(.scale(3), [s1], location: loc, name: "layer/scaled")
        b.output("y", s2)
        var graph = b.graph
        graph.ops[3].annotations = ["fusion.group": .int(2)]

        let result = try canonicalize(graph)
        let scaled = try #require(result.ops.last)
        #expect(scaled.kind == .scale(6))
        #expect(scaled.operands == [t1])
        #expect(scaled.location == loc)
        #expect(scaled.name == "layer/scaled")
        #expect(scaled.annotations == ["fusion.group": .int(2)])
        #expect(result.ops.count == 3)
    }

    @Test func isIdempotent() throws {
        let graph = try IRParser.parse("""
            graph @g {
              %0 = input "x" : f32[B,2,3]
              %1 = transpose %0 {perm = [1,0]} : f32[B,3,2]
              %2 = transpose %1 {perm = [1,0]} : f32[B,2,3]
              %3 = exp %2 : f32[B,2,3]
              %4 = exp %0 : f32[B,2,3]
              %5 = reshape %4 : f32[B,6]
              %6 = reshape %5 : f32[B,3,2]
              %7 = add %6, %1 : f32[B,3,2]
              %8 = shift %3 {offset = 1.0} : f32[B,2,3]
              output "y" = %7
              output "z" = %8
            }
            """)
        let once = try canonicalize(graph)
        #expect(once.ops.count < graph.ops.count)
        #expect(IRPrinter.print(try canonicalize(once)) == IRPrinter.print(once))
    }

    @Test func alreadyDeadOpsAreLeftForDCE() throws {
        let graph = try IRParser.parse("""
            graph @g {
              %0 = input "x" : f32[B,2]
              %1 = exp %0 : f32[B,2]
              output "y" = %0
            }
            """)
        #expect(try canonicalize(graph).ops.count == 2)
    }
}
