import M2IR
import M2Support
import Testing

@Suite struct IRPrinterTests {
    func smallGraph() throws -> Graph {
        var b = GraphBuilder(name: "tiny", attributes: ["seq_len": .int(4), "model": .string("m2-bert")])
        let ids = try b.input("input_ids", type: .i32([4], batched: true),
                              location: SourceLocation(file: "tiny.m2", line: 2, column: 5))
        let table = try b.weight("emb.weight", shape: [10, 3])
        let x = try b.add(.gather, [table, ids], name: "emb/x")
        let c = try b.constant([1, 0.5, -2], shape: [3])
        let y = try b.add(.binary(.mul), [x, c])
        let z = try b.add(.slice(axis: 0, start: 1, end: 3), [y])
        b.output("out", z)
        b.output("emb", x, isProbe: true)
        var g = b.graph
        g.ops[5].annotations = ["tile": .ints([2, 3]), "fusion.group": .int(1)]
        return g
    }

    @Test func printsOneOpPerLineWithSortedAttributes() throws {
        let expected = """
            graph @tiny {model = "m2-bert", seq_len = 4} {
              %0 = input "input_ids" : i32[B,4]
              %1 = weight "emb.weight" : f32[10,3]
              %2 = gather %1, %0 : f32[B,4,3]
              %3 = const dense<[1.0, 0.5, -2.0]> : f32[3]
              %4 = mul %2, %3 : f32[B,4,3]
              %5 = slice %4 {axis = 0, start = 1, end = 3} : f32[B,2,3] #{fusion.group = 1, tile = [2,3]}
              output "out" = %5
              probe "emb" = %2
            }

            """
        #expect(IRPrinter.print(try smallGraph()) == expected)
    }

    @Test func locationsAndNamesAreOptIn() throws {
        let text = IRPrinter.print(try smallGraph(), options: .init(locations: true, names: true))
        #expect(text.contains(#"%0 = input "input_ids" : i32[B,4] loc("tiny.m2":2:5)  # input_ids"#))
        #expect(text.contains("%2 = gather %1, %0 : f32[B,4,3]  # emb/x"))
        #expect(!IRPrinter.print(try smallGraph()).contains("loc("))
    }

    @Test func valuesAreRenumberedDenselyAfterDeletion() throws {
        var g = try smallGraph()
        let before = IRPrinter.print(g)
        // Add an unused op in the middle, then delete it again: raw value numbers now have a gap.
        let extra = Op(kind: .unary(.exp), operands: [g.ops[2].result], result: g.freshValue(), type: g.ops[2].type)
        g.ops.insert(extra, at: 3)
        #expect(IRPrinter.print(g).contains("%3 = exp %2"))
        g.ops.remove(at: 3)
        #expect(IRPrinter.print(g) == before)
    }

    @Test func largeConstantsPrintAsDigest() throws {
        var b = GraphBuilder(name: "c")
        let data = (0..<17).map(Double.init)
        let c = try b.constant(data, shape: [17])
        b.output("c", c)
        let text = IRPrinter.print(b.graph)
        #expect(text.contains("%0 = const #\(ConstantData(data).digestString) : f32[17]"))
        #expect(IRPrinter.print(b.graph, options: .init(inlineConstantLimit: 100)).contains("dense<[0.0, 1.0, 2.0"))
    }

    @Test func oddNamesAreQuoted() {
        var g = Graph(name: "has space", attributes: ["weird key": .bool(true), "nan": .double(.nan)])
        g.outputs = []
        #expect(IRPrinter.print(g) == "graph @\"has space\" {nan = nan, \"weird key\" = true} {\n}\n")
    }

    @Test func outputIsByteStable() throws {
        let g = try everyOpGraph()
        #expect(IRPrinter.print(g) == IRPrinter.print(g))
    }
}
