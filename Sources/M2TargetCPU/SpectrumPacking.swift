/// The .m2w layout of a `monarch_conv` spectrum (TensorLayout.channelLanes): [2, H, N] (real plane, imaginary
/// plane) becomes `[⌈H / lanes⌉][N][2][lanes]`, so the fused kernel reads each frequency of a group of `lanes`
/// channels as two aligned vectors instead of 2·lanes scattered floats. Channels past H are zero.
enum SpectrumPacking {
    static func packedShape(of shape: [Int], lanes: Int) -> [Int] {
        [(shape[1] + lanes - 1) / lanes, shape[2], 2, lanes]
    }

    static func pack(_ spectrum: [Float], shape: [Int], lanes: Int) -> [Float] {
        let (h, n) = (shape[1], shape[2])
        let groups = (h + lanes - 1) / lanes
        var out = [Float](repeating: 0, count: groups * n * 2 * lanes)
        for part in 0..<2 {
            for c in 0..<h {
                let (group, lane) = c.quotientAndRemainder(dividingBy: lanes)
                for k in 0..<n { out[((group * n + k) * 2 + part) * lanes + lane] = spectrum[(part * h + c) * n + k] }
            }
        }
        return out
    }
}
