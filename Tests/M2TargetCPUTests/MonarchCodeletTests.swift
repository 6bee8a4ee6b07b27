import Testing

/// The radix-2/4/8/16 codelets of the fused monarch_conv kernel (Templates/cpu/monarch_conv_support.c.tmpl) against
/// the Float64 reference: each codelet factor as the first level (real-input forward, real-half inverse), a middle
/// level (strided forward and inverse) and the last level (around the spectrum product), alone as a single level,
/// and beside factors that keep the dense matrix form.
@Suite("CPU target: monarch_conv codelets", .serialized)
struct MonarchCodeletTests {
    typealias Case = MonarchConvKernelTests.Case

    static let cases: [Case] = [
        Case(channels: 19, factors: [2, 16, 4], gates: (true, false, true)),
        Case(channels: 16, factors: [4, 2, 8], gates: (false, true, false)),
        Case(channels: 7, factors: [8, 4, 16], gates: (false, false, false)),
        Case(channels: 33, factors: [16, 8, 2], gates: (true, true, true)),
        Case(channels: 5, factors: [16], gates: (false, false, true)),
        Case(channels: 3, factors: [4], gates: (true, false, false)),
        Case(channels: 2, factors: [2], gates: (false, false, false)),
        Case(channels: 9, factors: [6, 8, 3, 2], gates: (false, true, false)),
        Case(channels: 4, factors: [12, 16, 5], gates: (false, false, false)),
    ]

    @Test(arguments: cases)
    func codeletMatchesReference(_ c: Case) throws {
        try MonarchConvKernelTests().check(c, compiler: "gcc")
    }

    @Test("codelets with clang, and with gcc under ASan + UBSan")
    func codeletsWithOtherCompilersAndSanitizers() throws {
        if CHarness.hasCompiler("clang") { try MonarchConvKernelTests().check(Self.cases[3], compiler: "clang") }
        try MonarchConvKernelTests().check(Self.cases[0], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
    }
}
