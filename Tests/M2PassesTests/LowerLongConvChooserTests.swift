import Foundation
import M2Passes
import Testing

@Suite("Monarch factorization chooser and flop count")
struct LowerLongConvChooserTests {
    static let allowed = MonarchFactorization.defaultAllowedFactors
    static let sequenceLengths = (6...15).map { 1 << $0 } + [96, 320, 384, 1000]

    @Test(arguments: sequenceLengths)
    func chosenFactorizationIsValidAndNoDearerThanAnyAlternative(_ l: Int) throws {
        let n = 2 * l
        let model = CPUMonarchCostModel()
        let plan = try MonarchFactorization.cheapest(for: n, model: model)
        #expect(plan.length == n)
        #expect(plan.factors.allSatisfy(Self.allowed.contains))
        #expect(plan.factors[0] % 2 == 0)
        let alternatives = MonarchFactorization.candidates(for: n, allowed: Self.allowed)
        #expect(alternatives.contains(plan))
        for other in alternatives {
            #expect(model.cost(of: plan) <= model.cost(of: other), "\(plan) vs \(other)")
        }
    }

    @Test func candidatesAreExactlyTheOrderedFactorizationsWithAnEvenFirstFactor() throws {
        let all = MonarchFactorization.candidates(for: 12, allowed: 2...64).map(\.factors)
        #expect(Set(all) == [[12], [2, 6], [6, 2], [4, 3], [2, 2, 3], [2, 3, 2]])
        // 640 = 2^7·5 (L = 320) and 2000 = 2^4·5^3 (L = 1000) need factors of 5.
        #expect(try MonarchFactorization.cheapest(for: 640).factors.contains { $0 % 5 == 0 })
        #expect(try MonarchFactorization.cheapest(for: 2000).length == 2000)
    }

    @Test func tiesAreBrokenDeterministically() throws {
        /// Every plan costs the same, so fewer levels win, then the lexicographically smaller list.
        struct Flat: MonarchCostModel { func cost(of plan: MonarchFactorization) -> Double { 1 } }
        #expect(try MonarchFactorization.cheapest(for: 256, model: Flat()).factors == [4, 64])
    }

    @Test func forcedShapesParse() throws {
        for shape in ["16x16", "8x8x8", "12x16", "32x32x16"] {
            #expect(MonarchFactorization(parsing: shape)?.description == shape)
        }
        #expect(MonarchFactorization(parsing: "3x4") == nil, "the first factor must be even")
        #expect(MonarchFactorization(parsing: "16x") == nil)
        #expect(MonarchFactorization(parsing: "1x16") == nil)
    }

    @Test func primeLengthHasNoFactorizationAndNamesNeighbours() throws {
        let error = try #require(throws: UnsupportedLengthError.self) { try MonarchFactorization.cheapest(for: 2042) }
        #expect(error.offendingPrime == 1021)
        #expect(error.nearestSupportedSequenceLengths.below == 1020)
        #expect(error.nearestSupportedSequenceLengths.above == 1023)
        // 1020: 2040 = 2^3·3·5·17, 1023: 2046 = 2·3·11·31 — both factorize.
        #expect(MonarchFactorization.exists(for: 2040, allowed: Self.allowed))
        #expect(MonarchFactorization.exists(for: 2046, allowed: Self.allowed))
        #expect(!MonarchFactorization.exists(for: 2 * 67, allowed: Self.allowed))
    }

    /// The flop formula counted against the ops the pass actually emits, per channel.
    @Test(arguments: ["16x16", "8x8x8", "12x16", "4x2x8"])
    func flopCountMatchesTheEmittedOps(_ shape: String) throws {
        let plan = try #require(MonarchFactorization(parsing: shape))
        let c = try LongConvCase(channels: 1, length: plan.sequenceLength, bidirectional: true, skip: true)
        let lowered = try c.lowered(LowerLongConv(forced: plan))
        let types = Dictionary(uniqueKeysWithValues: lowered.ops.map { ($0.result, $0.type) })
        var flops = 0
        for op in lowered.ops where op.type.batched {
            switch op.kind {
            case .blockDiagMatmul(let out):
                let inFeatures = try #require(types[op.operands[1]]).shape[1]
                flops += 2 * inFeatures * out * (op.type.elementCount / out)
            case .binary: flops += op.type.elementCount
            default: break
            }
        }
        #expect(flops == MonarchFlopCount(plan).total)
    }

    @Test func flopTableInTheDocsIsTheFunctionsOutput() throws {
        let table = try MonarchFlopCount.markdownTable(sequenceLengths: [128, 512, 2048, 8192])
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/MONARCH_FFT.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(text.contains(table), "docs/MONARCH_FFT.md must contain:\n\(table)")
        #expect(MonarchFlopCount.radix2(length: 256) == 2 * 5 * 256 * 8)
        #expect(MonarchFlopCount.direct(sequenceLength: 128) == 2 * 128 * 128)
    }
}
