import Foundation
import M2IR
import M2Reference
import Testing

/// Evaluates one op on literal operands; `batch` is the item count of batched operands.
func evaluate(_ kind: OpKind, _ operands: [(TensorType, [Double])], batch: Int? = nil,
              reshapeTo: [Int]? = nil) throws -> Tensor64 {
    let types = operands.map(\.0)
    let type = try kind.inferType(types, reshapeTo: reshapeTo)
    let op = Op(kind: kind, operands: types.indices.map(ValueID.init), result: ValueID(types.count), type: type)
    let tensors = operands.map { t, v in Tensor64(shape: (t.batched ? [batch ?? 1] : []) + t.shape, values: v) }
    return try ReferenceInterpreter.evaluate(op, operands: tensors, operandTypes: types, batch: batch)
}

func expectClose(_ got: [Double], _ want: [Double], _ tol: Double = 1e-12, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got.count == want.count, "\(got) vs \(want)", sourceLocation: sourceLocation)
    for (g, w) in zip(got, want) {
        #expect(Swift.abs(g - w) <= tol, "\(got) vs \(want)", sourceLocation: sourceLocation)
    }
}

@Suite("Op kernels on hand-computed cases")
struct OpKernelTests {
    @Test func denseMatmulIsTorchLinear() throws {
        // x (2, 3) · Wᵀ with W (out 2, in 3).
        let y = try evaluate(.blockDiagMatmul(outFeatures: 2),
                             [(.f32([2, 3]), [1, 2, 3, 4, 5, 6]), (.f32([2, 3]), [1, 0, 1, 0, 1, 0])])
        #expect(y.shape == [2, 2])
        expectClose(y.values, [4, 2, 10, 5])
    }

    @Test func blockDiagonalPadsInputsAndTruncatesOutputs() throws {
        // n = 5 inputs, 2 blocks of p = 3 (one zero pad), q = 2 outputs each, truncated to 3.
        // The weight 100 multiplies the pad, so it must not show up.
        let w: [Double] = [1, 1, 1, 1, 0, 0,     1, 2, 100, 7, 7, 7]
        let y = try evaluate(.blockDiagMatmul(outFeatures: 3),
                             [(.f32([5], batched: true), [1, 2, 3, 4, 5, 0, 0, 0, 1, 1]), (.f32([2, 2, 3]), w)], batch: 2)
        #expect(y.shape == [2, 3])
        // item 0: block0 [1,2,3] → [6, 1]; block1 [4,5,0] → [14, 63] → truncated to 14.
        // item 1: block0 [0,0,0] → [0, 0]; block1 [1,1,0] → [3, 14].
        expectClose(y.values, [6, 1, 14, 0, 0, 3])
    }

    @Test func unaryFunctions() throws {
        let x: [Double] = [-1, 0, 1, 4]
        func apply(_ f: UnaryFn) throws -> [Double] { try evaluate(.unary(f), [(.f32([4]), x)]).values }
        // Exact GELU: Φ(1) = 0.8413447460685429.
        expectClose(try apply(.gelu), [-0.15865525393145707, 0, 0.8413447460685429, 4 * 0.9999683287581669])
        expectClose(try apply(.relu), [0, 0, 1, 4])
        expectClose(try apply(.abs), [1, 0, 1, 4])
        expectClose(try apply(.neg), [1, 0, -1, -4])
        expectClose(try apply(.square), [1, 0, 1, 16])
        expectClose(try apply(.sigmoid)[1...2].map { $0 }, [0.5, 1 / (1 + exp(-1))])
        expectClose(try apply(.rsqrt)[3...].map { $0 }, [0.5])
        expectClose(try evaluate(.unary(.sin), [(.f32([1]), [Double.pi / 2])]).values, [1])
        // The tanh approximation differs from the exact GELU by ~1e-4 at x = 1.
        let approx = try apply(.geluTanh)[2]
        #expect(Swift.abs(approx - 0.8411919906082768) < 1e-12)
    }

    @Test func scaleAndShift() throws {
        expectClose(try evaluate(.scale(-2), [(.f32([2]), [1.5, -3])]).values, [-3, 6])
        expectClose(try evaluate(.shift(0.5), [(.f32([2]), [1.5, -3])]).values, [2, -2.5])
    }

    @Test func binaryBroadcastsStaticDimsAndSharesUnbatchedOperandsAcrossTheBatch() throws {
        // a: batched f32[B,3]; b: unbatched f32[2,1] → f32[B,2,3]. b aligns with the static dims only.
        let y = try evaluate(.binary(.add), [(.f32([3], batched: true), [1, 2, 3, 4, 5, 6]), (.f32([2, 1]), [10, 20])],
                             batch: 2)
        #expect(y.shape == [2, 2, 3])
        expectClose(y.values, [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])

        // Both batched, one broadcast along a static dim.
        let z = try evaluate(.binary(.div), [(.f32([2], batched: true), [2, 4, 6, 8]), (.f32([1], batched: true), [2, 4])],
                             batch: 2)
        expectClose(z.values, [1, 2, 1.5, 2])

        let same = try evaluate(.binary(.sub), [(.f32([2]), [5, 5]), (.f32([2]), [1, 7])])
        expectClose(same.values, [4, -2])
        let m = try evaluate(.binary(.maximum), [(.f32([2]), [1, .nan]), (.f32([2]), [3, 0])])
        #expect(m.values[0] == 3 && m.values[1].isNaN)
        expectClose(try evaluate(.binary(.minimum), [(.f32([2]), [1, 5]), (.f32([2]), [3, 0])]).values, [1, 0])
    }

    @Test func layerNormUsesTheBiasedVariance() throws {
        // mean 2.5, biased variance 1.25 (the unbiased one would be 5/3).
        let y = try evaluate(.layerNorm(eps: 1e-12),
                             [(.f32([4], batched: true), [1, 2, 3, 4, 7, 7, 7, 7]), (.f32([4]), [1, 1, 2, 2]), (.f32([4]), [0, 0, 0, 1])],
                             batch: 2)
        let s = 1 / 1.25.squareRoot()
        // A constant row normalises to 0, leaving beta.
        expectClose(y.values, [-1.5 * s, -0.5 * s, 2 * 0.5 * s, 2 * 1.5 * s + 1, 0, 0, 0, 1], 1e-9)
    }

    @Test func reductionsRemoveTheStaticAxis() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6,   -1, -2, -3, 0, 0, 9]   // f32[B=2, 2, 3]
        let t = TensorType.f32([2, 3], batched: true)
        let sum = try evaluate(.reduce(.sum, axis: 0), [(t, x)], batch: 2)
        #expect(sum.shape == [2, 3])
        expectClose(sum.values, [5, 7, 9, -1, -2, 6])
        expectClose(try evaluate(.reduce(.mean, axis: 1), [(t, x)], batch: 2).values, [2, 5, -2, 3])
        expectClose(try evaluate(.reduce(.max, axis: 1), [(t, x)], batch: 2).values, [3, 6, -1, 9])
        expectClose(try evaluate(.reduce(.max, axis: 0), [(.f32([2, 2]), [1, -4, 0, -8])]).values, [1, -4])
    }

    @Test func gatherLooksUpRowsPerBatchItem() throws {
        let table: [Double] = [0, 0.5, 1, 1.5, 2, 2.5]   // 3 rows of 2
        let y = try evaluate(.gather, [(.f32([3, 2]), table), (.i32([2], batched: true), [2, 0, 1, 1])], batch: 2)
        #expect(y.shape == [2, 2, 2])
        expectClose(y.values, [2, 2.5, 0, 0.5, 1, 1.5, 1, 1.5])
    }

    @Test func gatherRejectsOutOfRangeIds() throws {
        let table: [Double] = [0, 0.5, 1, 1.5, 2, 2.5]
        for (ids, item, position, value) in [([0, 1, 2, 3], 1, 1, 3), ([0, -1, 0, 0], 0, 1, -1)] {
            #expect(throws: InterpreterError.tokenIdOutOfRange(input: "ids of gather %2", batchItem: item, position: position,
                                                               value: value, tableRows: 3)) {
                try evaluate(.gather, [(.f32([3, 2]), table), (.i32([2], batched: true), ids.map(Double.init))], batch: 2)
            }
        }
    }

    @Test func shortConvIsCausalWithTheLastTapOnTheCurrentToken() throws {
        // C = 2 channels, L = 4; y[c,i] = b[c] + w0·x[i−2] + w1·x[i−1] + w2·x[i].
        let x: [Double] = [1, 2, 3, 4,   1, 0, 0, 0]
        let y = try evaluate(.shortConv(taps: 3), [(.f32([2, 4]), x), (.f32([2, 3]), [100, 10, 1, 1, 2, 3]), (.f32([2]), [0, 0.5])])
        expectClose(y.values, [1, 12, 123, 234, 3.5, 2.5, 1.5, 0.5])
        let noBias = try evaluate(.shortConv(taps: 1), [(.f32([1, 2]), [3, 4]), (.f32([1, 1]), [2])])
        expectClose(noBias.values, [6, 8])
    }

    @Test func longConvIsTheDirectSumWithShiftedReverseKernelAndSkip() throws {
        let x: [Double] = [1, 2, 3], fwd: [Double] = [1, 10, 100], rev: [Double] = [1000, 10000, 99999], d: [Double] = [0.5]
        let bi = try evaluate(.longConv(bidirectional: true, hasSkip: true),
                              [(.f32([1, 3]), x), (.f32([1, 3]), fwd), (.f32([1, 3]), rev), (.f32([1]), d)])
        // rev[0] weights the next token, rev[1] the one after; rev[L−1] = 99999 is never used.
        expectClose(bi.values, [1 + 2000 + 30000 + 0.5, 10 + 2 + 3000 + 1, 100 + 20 + 3 + 1.5])
        let causal = try evaluate(.longConv(bidirectional: false, hasSkip: false),
                                  [(.f32([1, 3], batched: true), x + [1, 0, 0]), (.f32([1, 3]), fwd)], batch: 2)
        expectClose(causal.values, [1, 12, 123, 1, 10, 100])
    }

    @Test func transposeReshapeSliceConcat() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6,  7, 8, 9, 10, 11, 12]
        let t = try evaluate(.transpose(perm: [1, 0]), [(.f32([2, 3], batched: true), x)], batch: 2)
        #expect(t.shape == [2, 3, 2])
        expectClose(t.values, [1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12])
        let t3 = try evaluate(.transpose(perm: [2, 0, 1]), [(.f32([1, 2, 3]), Array(x[0..<6]))])
        #expect(t3.shape == [3, 1, 2])
        expectClose(t3.values, [1, 4, 2, 5, 3, 6])

        let r = try evaluate(.reshape, [(.f32([2, 3], batched: true), x)], batch: 2, reshapeTo: [3, 2])
        #expect(r.shape == [2, 3, 2] && r.values == x)

        let s = try evaluate(.slice(axis: 1, start: 1, end: 3), [(.f32([2, 3], batched: true), x)], batch: 2)
        #expect(s.shape == [2, 2, 2])
        expectClose(s.values, [2, 3, 5, 6, 8, 9, 11, 12])

        // An unbatched part is repeated for every batch item.
        let c = try evaluate(.concat(axis: 0), [(.f32([1, 2], batched: true), [1, 2, 3, 4]), (.f32([2, 2]), [0, 0, 9, 9])],
                             batch: 2)
        #expect(c.shape == [2, 3, 2])
        expectClose(c.values, [1, 2, 0, 0, 9, 9, 3, 4, 0, 0, 9, 9])
        let c1 = try evaluate(.concat(axis: 1), [(.f32([2, 1]), [1, 2]), (.f32([2, 2]), [3, 4, 5, 6])])
        expectClose(c1.values, [1, 3, 4, 2, 5, 6])
    }

    @Test func castToIntTruncatesTowardZero() throws {
        expectClose(try evaluate(.cast(.i32), [(.f32([3]), [1.7, -1.7, 2])]).values, [1, -1, 2])
        expectClose(try evaluate(.cast(.f32), [(.i32([2]), [3, -4])]).values, [3, -4])
    }

    @Test func malformedOperandsAreReportedNotReadOutOfBounds() throws {
        let op = Op(kind: .unary(.exp), operands: [ValueID(0)], result: ValueID(1), type: .f32([3]))
        #expect(throws: InterpreterError.self) {
            try ReferenceInterpreter.evaluate(op, operands: [Tensor64(shape: [2], values: [1, 2])],
                                              operandTypes: [.f32([3])], batch: nil)
        }
        // A batched operand cannot be evaluated without a batch (e.g. while constant folding).
        #expect(throws: InterpreterError.self) {
            try ReferenceInterpreter.evaluate(op, operands: [Tensor64(shape: [1, 3], values: [1, 2, 3])],
                                              operandTypes: [.f32([3], batched: true)], batch: nil)
        }
    }
}
