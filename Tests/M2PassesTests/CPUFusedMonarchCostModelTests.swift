import M2Passes
import Testing

@Suite("CPU fused monarch_conv cost model")
struct CPUFusedMonarchCostModelTests {
    let model = CPUFusedMonarchCostModel()

    /// The calibration (docs/PERFORMANCE.md, "Choosing the fused kernel's factorization"): at each measured L the
    /// model picks a factorization that bench/longconv/factors.sh timed at or near the best.
    @Test(arguments: [(128, "8x4x8"), (512, "4x4x8x8"), (2048, "4x4x4x8x8"), (8192, "2x4x4x4x8x16")])
    func picksTheCalibratedFactorization(_ l: Int, _ expected: String) throws {
        #expect(try MonarchFactorization.cheapest(for: 2 * l, model: model).description == expected)
    }

    @Test func cpuPipelineUsesItAndTheCudaPipelineKeepsTheDefaultModel() throws {
        let cpu = PassRegistry.cpuPipeline().compactMap { $0 as? FormMonarchConv }
        #expect(cpu.count == 1)
        #expect(cpu.first?.costModel is CPUFusedMonarchCostModel)
        let cuda = PassRegistry.cudaPipeline(precision: "bf16").compactMap { $0 as? FormMonarchConv }
        #expect(cuda.count == 1)
        #expect(cuda.first?.costModel is CPUMonarchCostModel)
        #expect(PassRegistry.cpuPipeline(fusion: false).allSatisfy { !($0 is FormMonarchConv) })
    }

    @Test func codeletsAreCheaperThanTheMatrixFormAndOtherFactorsCostTheirDenseFlops() {
        for factor in [2, 4, 8, 16] { #expect(model.dftCost(factor: factor) < 8 * Double(factor)) }
        #expect(model.dftCost(factor: 12) == 96)
        #expect(model.dftCost(factor: 32) == 256)
    }

    /// 16 rows 4 KiB apart (the first level of 16x16x4 at N = 1024: rows of 64 points × 64 bytes) share one L1 set;
    /// at the end of 4x16x16 the same factor's rows are 1 KiB apart.
    @Test func largeFactorsArePricedCheaperWhereTheirRowsAreClose() throws {
        let early = try #require(MonarchFactorization([16, 16, 4])), late = try #require(MonarchFactorization([4, 16, 16]))
        #expect(model.cost(of: late) < model.cost(of: early))
    }

    /// Lengths with factors 3 and 5 (no codelet) still get a valid, cheapest plan.
    @Test(arguments: [24, 96, 320, 1000])
    func nonPowerOfTwoLengthsGetTheCheapestCandidate(_ l: Int) throws {
        let plan = try MonarchFactorization.cheapest(for: 2 * l, model: model)
        #expect(plan.length == 2 * l)
        for other in MonarchFactorization.candidates(for: 2 * l, allowed: MonarchFactorization.defaultAllowedFactors) {
            #expect(model.cost(of: plan) <= model.cost(of: other), "\(plan) vs \(other)")
        }
    }
}
