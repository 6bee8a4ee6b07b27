import M2IR
@testable import M2TargetCPU
import Testing

/// The check that decides whether the CPU monarch_conv kernel pairs sequences: S[k] = conj S[N − k] per channel,
/// read through the digit-reversed positions of the factorization.
@Suite("CPU target: Hermitian spectrum check")
struct HermitianSpectrumTests {
    static let factors = [4, 3, 8], channels = 5, n = 96

    /// Index of (part, channel, natural frequency) in the stored [2, H, N] spectrum.
    static func index(part: Int, channel: Int, frequency: Int) -> Int {
        let position = MonarchSpectrumOrder.frequencies(factors: factors).firstIndex(of: frequency)!
        return (part * channels + channel) * n + position
    }

    @Test("a real kernel's spectrum is Hermitian, in any channel and factorization")
    func realKernel() {
        for factors in [Self.factors, [8], [2, 4, 2, 4], [16, 8, 2]] {
            let spectrum = MonarchConvKernelTests.realKernelSpectrum(channels: Self.channels, factors: factors, seed: 3)
            #expect(HermitianSpectrum.holds(spectrum, channels: Self.channels, factors: factors), "\(factors)")
        }
    }

    @Test("one asymmetric value, a complex DC term, random values or a wrong size are not")
    func notHermitian() {
        let good = MonarchConvKernelTests.realKernelSpectrum(channels: Self.channels, factors: Self.factors, seed: 3)
        var asymmetric = good
        asymmetric[Self.index(part: 0, channel: 4, frequency: 7)] += 1e-3
        #expect(!HermitianSpectrum.holds(asymmetric, channels: Self.channels, factors: Self.factors))
        var complexDC = good
        complexDC[Self.index(part: 1, channel: 2, frequency: 0)] = 0.25
        #expect(!HermitianSpectrum.holds(complexDC, channels: Self.channels, factors: Self.factors))
        var complexNyquist = good
        complexNyquist[Self.index(part: 1, channel: 0, frequency: Self.n / 2)] = 0.25
        #expect(!HermitianSpectrum.holds(complexNyquist, channels: Self.channels, factors: Self.factors))
        let random = TestModels.values(good.count, seed: 9).map(Double.init)
        #expect(!HermitianSpectrum.holds(random, channels: Self.channels, factors: Self.factors))
        #expect(!HermitianSpectrum.holds(Array(good.dropLast()), channels: Self.channels, factors: Self.factors))
    }

    @Test("rounding far below float32 resolution still pairs")
    func rounding() {
        var spectrum = MonarchConvKernelTests.realKernelSpectrum(channels: Self.channels, factors: Self.factors, seed: 3)
        spectrum[Self.index(part: 0, channel: 1, frequency: 5)] *= 1 + 1e-12
        #expect(HermitianSpectrum.holds(spectrum, channels: Self.channels, factors: Self.factors))
    }
}
