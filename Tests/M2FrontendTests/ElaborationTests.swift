import Foundation
import M2Frontend
import M2IR
import M2Support
import Testing

@Suite struct ElaborationTests {
    @Test func probesAreNamedByPrefixAndKeptOnlyWhenAsked() throws {
        var options = ElaborationOptions()
        options.paramOverrides = ["seq_len": .int(16), "hidden": .int(16), "intermediate": .int(32), "layers": .int(2),
                                  "vocab": .int(50), "filter_order": .int(4)]
        let plain = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: options)
        #expect(plain.graph.outputs.allSatisfy { !$0.isProbe })
        options.keepProbes = true
        let probed = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: options)
        let probes = Set(probed.graph.outputs.filter(\.isProbe).map(\.name))
        for name in ["bert.embeddings:out", "bert.encoder.layer.0.attention:short_conv_out",
                     "bert.encoder.layer.0.attention:long_conv_y", "bert.encoder.layer.0.attention:residual_conv_yu",
                     "bert.encoder.layer.0.attention:out", "bert.encoder.layer.1:out",
                     "bert.encoder.layer.0.attention.filter_fn:k_fwd", "bert.encoder.layer.0.attention.filter_fn:k_rev",
                     "bert.encoder.layer.1.attention.filter_fn2:k_rev"] {
            #expect(probes.contains(name), "missing probe \(name)")
        }
        let g = probed.graph
        let shortConv = try #require(g.output("bert.encoder.layer.0.attention:short_conv_out"))
        #expect(g.type(of: shortConv.value) == .f32([48, 16], batched: true))
        let kFwd = try #require(g.output("bert.encoder.layer.0.attention.filter_fn:k_fwd"))
        #expect(g.type(of: kFwd.value) == .f32([16, 16]))
    }

    @Test func tupleDestructuringAndDimBinding() throws {
        let src = """
        block Halves(x: f32[L, D]) {
          let (a, b) = split(x, 2, axis: -1)
          return (a, b, L, D)
        }
        model m() {
          let (lo, hi, l, d) = Halves(ones([3, 8]))
          assert(l == 3 and d == 8, "bound dims")
          output lo = lo
          output both = concat([hi, lo], axis: 1)
        }
        """
        let g = try #require(elaborate(src)).graph
        #expect(g.outputType("lo") == .f32([3, 4]))
        #expect(g.outputType("both") == .f32([3, 8]))
    }

    @Test func weightKeysFollowPrefixesAndAbsoluteKeys() throws {
        let src = """
        block Inner(x) { return x * weight("scale", [4]) + weight("/shared.bias", [4]) }
        block Outer(x) { return Inner(x) @ "inner" }
        model m() {
          let x = ones([2, 4])
          let a = Outer(x) @ "outer"
          let b = Inner(x) @ "/top"
          let c = Inner(x)
          output y = a + b + c
        }
        """
        let keys = try #require(elaborate(src)).graph.weightKeys
        #expect(Set(keys.keys) == ["outer.inner.scale", "shared.bias", "top.scale", "scale"])
    }

    @Test func ifForScopingAndAssignment() throws {
        let src = """
        model m(n: int = 3, flag: bool = false) {
          let total = 0
          for i in 0..<n {
            let sq = i * i
            total = total + sq
          }
          if flag {
            total = -1
          } else if total > 4 {
            let local = 100
            total = total + local
          } else {
            total = 0
          }
          output y = full([total], 2.0)
        }
        """
        #expect(try #require(elaborate(src)).graph.outputType("y") == .f32([105]))
    }

    @Test func tensorScalarArithmeticEmitsScaleShiftAndNeg() throws {
        let src = "model m() {\n  let x = ones([4])\n  output y = 1.5 - x * 2 / 4 + 3\n}"
        let g = try #require(elaborate(src)).graph
        let kinds = g.ops.map(\.kind).filter { !$0.isLeaf }
        #expect(kinds == [.scale(2), .scale(0.25), .unary(.neg), .shift(1.5), .shift(3)])
    }

    @Test func opsCarryLocationAndScopedName() throws {
        let src = "block B(x) {\n  let doubled = x * 2\n  return doubled\n}\nmodel m() {\n  output y = B(ones([2])) @ \"blk\"\n}"
        let g = try #require(elaborate(src)).graph
        let scale = try #require(g.ops.first { $0.kind == .scale(2) })
        #expect(scale.name == "blk/doubled")
        #expect(scale.location == SourceLocation(file: "test.m2", line: 2, column: 19))
    }

    @Test func outputSelectionSkipsOtherOutputs() throws {
        var options = ElaborationOptions()
        options.outputs = ["pooled_output"]
        let g = try Frontend.elaborate(file: examplePath("m2-bert-retrieval-2k.m2"), options: options).graph
        #expect(g.outputs.map(\.name) == ["pooled_output"])
    }

    @Test func constantTensors() throws {
        let src = "model m() {\n  output a = linspace(0, 1, 5)\n  output b = arange(3)\n}"
        let g = try #require(elaborate(src)).graph
        let consts = g.ops.compactMap { op -> [Double]? in
            if case .constant(let d) = op.kind { return d.values } else { return nil }
        }
        #expect(consts == [[0, 0.25, 0.5, 0.75, 1], [0, 1, 2]])
    }

    @Test func importedFilesProvideBlocks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2-import-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "block Twice(x) { return x * 2 }\n".write(to: dir.appendingPathComponent("lib.m2"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.m2")
        try "import \"lib.m2\"\nmodel m() {\n  output y = Twice(ones([2]))\n}\n".write(to: main, atomically: true, encoding: .utf8)
        let model = try Frontend.elaborate(file: main.path, options: ElaborationOptions())
        #expect(model.graph.ops.contains { $0.kind == .scale(2) })
        #expect(model.sources.keys.contains(dir.appendingPathComponent("lib.m2").path))
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let src = "model m() {\n  output y = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "\n}"
        let ds = diagnostics(src)
        #expect(ds.contains { $0.message.contains("nesting is too deep") })
    }

    @Test func paramValueParsing() {
        #expect(ParamValue.parse("512") == .int(512))
        #expect(ParamValue.parse("1e-5") == .float(1e-5))
        #expect(ParamValue.parse("true") == .bool(true))
        #expect(ParamValue.parse("gelu") == .string("gelu"))
    }
}
