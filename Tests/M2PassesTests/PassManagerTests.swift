import M2IR
import M2Passes
import M2Support
import Testing

/// A deliberately broken pass: gives the first non-leaf op a wrong type.
struct CorruptTypes: Pass {
    let name = "corrupt-types"
    let summary = "test only"
    func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        guard let i = graph.ops.firstIndex(where: { !$0.kind.isLeaf }) else { return }
        graph.ops[i].type = graph.ops[i].type.with(shape: [99])
    }
}

/// Records that it ran, without changing the graph.
struct Mark: Pass {
    let name: String
    var summary: String { "marks \(name)" }
    func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        context.diagnostics.append(.init(.note, name))
    }
}

@Suite struct PassManagerTests {
    let source = """
        graph @g {
          %0 = input "x" : f32[B,2]
          %1 = exp %0 : f32[B,2]
          %2 = neg %0 : f32[B,2]
          output "y" = %1
        }
        """

    @Test func runsPassesInOrderAndReportsEach() throws {
        var graph = try IRParser.parse(source)
        var context = PassContext()
        var seen: [String] = []
        try PassPipeline([Mark(name: "a"), DeadCodeElimination(), Mark(name: "b")]).run(&graph, context: &context) { index, pass, g in
            seen.append("\(index):\(pass.name):\(g.ops.count)")
        }
        #expect(seen == ["0:a:3", "1:dce:2", "2:b:2"])
        #expect(context.diagnostics.map(\.message) == ["a", "b"])
    }

    @Test func verificationFailureNamesThePass() throws {
        var graph = try IRParser.parse(source)
        var context = PassContext()
        do {
            try PassPipeline([Mark(name: "a"), CorruptTypes(), Mark(name: "b")]).run(&graph, context: &context)
            Issue.record("the broken pass was not caught")
        } catch PassError.verificationFailed(let pass, let errors) {
            #expect(pass == "corrupt-types")
            #expect(errors.map(\.opIndex) == [1])
            #expect(errors.first?.op == "%1 = exp %0 : f32[B,99]")
        }
        #expect(context.diagnostics.map(\.message) == ["a"])
    }

    @Test func invalidInputIsCaughtBeforeTheFirstPass() throws {
        var graph = try IRParser.parse(source)
        graph.ops[1].type = .f32([3])
        var context = PassContext()
        do {
            try PassPipeline([Mark(name: "a")]).run(&graph, context: &context)
            Issue.record("invalid input was not caught")
        } catch let error as PassError {
            guard case .verificationFailed(let pass, _) = error else { Issue.record("\(error)"); return }
            #expect(pass == PassPipeline.inputStage)
            #expect(error.description.hasPrefix("the input IR is invalid (1 error):"))
        }
        #expect(context.diagnostics.isEmpty)
    }

    @Test func verificationCanBeTurnedOff() throws {
        var graph = try IRParser.parse(source)
        var context = PassContext()
        try PassPipeline([CorruptTypes()], verifyEach: false).run(&graph, context: &context)
        #expect(graph.ops[1].type.shape == [99])
    }

    @Test func runUpToStopsAfterTheNamedPass() throws {
        var graph = try IRParser.parse(source)
        var context = PassContext()
        let pipeline = PassPipeline([Mark(name: "a"), Mark(name: "b"), Mark(name: "c")])
        try pipeline.run(upTo: "b", &graph, context: &context)
        #expect(context.diagnostics.map(\.message) == ["a", "b"])
        #expect(throws: PassError.self) { try pipeline.prefix(through: "zz") }
        do {
            _ = try pipeline.prefix(through: "zz")
        } catch {
            #expect(error.description == "unknown pass 'zz'; known passes: a, b, c")
        }
    }

    @Test func registryKnowsItsPassesByName() throws {
        let names = PassRegistry.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("dce") && names.contains("canonicalize"))
        #expect(PassRegistry.named("dce") is DeadCodeElimination)
        #expect(PassRegistry.named("nope") == nil)
        #expect(PassRegistry.all.allSatisfy { !$0.summary.isEmpty })
        let front = PassRegistry.frontendPipeline.map(\.name)
        #expect(Array(front.suffix(2)) == ["canonicalize", "dce"])
        #expect(try PassPipeline(parsing: "dce, canonicalize").passes.map(\.name) == ["dce", "canonicalize"])
        #expect(throws: PassError.self) { try PassPipeline(parsing: "dce,bogus") }
    }
}
