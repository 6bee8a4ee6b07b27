import Foundation
import M2IR
@testable import M2TargetCPU
import Testing

@Suite("GEMM packing and tiling model")
struct GemmLayoutTests {
    @Test("panels: block b, panel t, row s, column c holds W[b, t·w + c, s]; zero past q")
    func packing() {
        let (nb, q, p, w) = (2, 5, 3, 4)
        let weights = (0..<(nb * q * p)).map { Float($0 + 1) }
        let packed = WeightPacking.pack(weights, shape: [nb, q, p], panelWidth: w)
        #expect(WeightPacking.packedShape(of: [nb, q, p], panelWidth: w) == [2, 2, 3, 4])
        #expect(packed.count == 2 * 2 * 3 * 4)
        for b in 0..<nb {
            for t in 0..<2 {
                for s in 0..<p {
                    for c in 0..<w {
                        let j = t * w + c
                        let expected: Float = j < q ? weights[(b * q + j) * p + s] : 0
                        #expect(packed[((b * 2 + t) * p + s) * w + c] == expected)
                    }
                }
            }
        }
        let strides = WeightPacking.strides(of: [nb, q, p], panelWidth: w)
        #expect(strides.block == 24 && strides.panel == 12)
        // Dense [m, n] is one block; a panel as wide as q is the [p][q] transpose OpenBLAS reads.
        #expect(WeightPacking.pack([1, 2, 3, 4, 5, 6], shape: [2, 3], panelWidth: 2) == [1, 4, 2, 5, 3, 6])
    }

    @Test("tiles respect the cache budgets and keep a sequence parallel", arguments: CPUISA.allCases)
    func tiles(_ isa: CPUISA) {
        let caches = CacheSizes(l1d: 32 << 10, l2: 1 << 20)
        let options = CPUEmitOptions(isa: isa, caches: caches)
        for (rows, nb, q, p) in [(128, 1, 2304, 768), (8192, 4, 384, 192), (512, 4, 192, 768), (128, 1, 30528, 768), (7, 3, 5, 2)] {
            let t = TilingModel.tiling(rowsPerItem: rows, blocks: nb, outPerBlock: q, inPerBlock: p, options: options)
            #expect((t.mr, t.nr) == TilingModel.microKernel(isa))
            #expect(t.kc <= p && (t.kc == p || t.kc * t.nr * 4 <= caches.l2 / 8))
            #expect(t.mc % t.mr == 0 && (t.mc * t.kc * 4 <= caches.l2 / 2 || t.mc == t.mr))
            #expect(t.nc % t.nr == 0 && t.columnBlocks == (q + t.nc - 1) / t.nc)
            let items = (rows + t.mc - 1) / t.mc * nb * t.columnBlocks
            #expect(items >= min(TilingModel.minimumWorkItems, nb * ((q + t.nr - 1) / t.nr)), "\(rows)×\(nb)×\(q)×\(p): \(items) items")
        }
    }

    @Test("row tiles split a sequence into equal work items, a multiple of 4 with the blocks",
          arguments: [(512, 1, 768), (1024, 1, 768), (2048, 1, 768), (8192, 1, 768), (512, 4, 768), (1000, 1, 768), (4096, 4, 192)])
    func balancedRowTiles(_ shape: (rows: Int, nb: Int, p: Int)) {
        let options = CPUEmitOptions(isa: .avx512, caches: CacheSizes(l1d: 32 << 10, l2: 1 << 20))
        let t = TilingModel.tiling(rowsPerItem: shape.rows, blocks: shape.nb, outPerBlock: 192, inPerBlock: shape.p, options: options)
        let tiles = (shape.rows + t.mc - 1) / t.mc
        #expect(t.mc * t.kc * 4 <= options.caches.l2 / 2)
        #expect(tiles * shape.nb % TilingModel.minimumWorkItems == 0, "\(shape): \(tiles) row tiles of \(t.mc)")
        // Equal tiles up to the mr rounding: the last one is at most mr·tiles rows short.
        let last = shape.rows - (tiles - 1) * t.mc
        #expect(last > 0 && t.mc - last < t.mr * tiles, "\(shape): last tile \(last) of \(t.mc)")
    }

    @Test("the tiles are annotations in the IR, and the .m2w stores the packed panels")
    func annotationsAndStoredShape() throws {
        let model = try GemmKernelTests.model()
        let options = CPUEmitOptions(isa: .avx2, gemm: .m2c, caches: .defaults)
        let annotated = TilingModel.annotate(model.graph, options: options)
        let matmuls = annotated.ops.filter { if case .blockDiagMatmul = $0.kind { return true } else { return false } }
        #expect(matmuls.count == GemmKernelTests.cases.count)
        for op in matmuls {
            #expect(op.annotations["kernel"] == .string("avx2"))
            guard case .string(let tile)? = op.annotations["tile"] else { Issue.record("no tile on \(op.result)"); continue }
            #expect(tile.hasPrefix("mr=6,nr=16,kc="))
            #expect(IRPrinter.print(annotated).contains("tile = \"\(tile)\""))
        }
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "gemm_cases", options: options)
        let source = try #require(library.text("gemm_cases.c"))
        #expect(source.contains("{ \"w1@packed16\", \(5 * 300 * 16 * 4)ULL }"))   // ⌈70/16⌉ = 5 panels of 300 × 16
        let blas = try CPUEmitter.emit(graph: model.graph, weights: nil, name: "gemm_cases",
                                       options: CPUEmitOptions(gemm: .openblas))
        #expect(try #require(blas.text("Makefile")).contains("-lopenblas"))
        #expect(try #require(library.text("Makefile")).contains("-lopenblas") == false)
    }
}
