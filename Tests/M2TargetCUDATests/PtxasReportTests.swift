@testable import M2TargetCUDA
import Testing

@Suite struct PtxasReportTests {
    @Test func parsesRegistersSpillsAndSharedMemoryPerKernel() {
        let text = """
        ptxas info    : 0 bytes gmem
        ptxas info    : Compiling entry function '_Z4gemmPf' for 'sm_80'
        ptxas info    : Function properties for _Z4gemmPf
            16 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
        ptxas info    : Used 128 registers, used 1 barriers, 16384 bytes smem, 360 bytes cmem[0]
        ptxas info    : Compiling entry function '_Z3fftPf' for 'sm_90a'
        ptxas info    : Function properties for _Z3fftPf
            0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
        ptxas info    : Used 40 registers, used 0 barriers, 360 bytes cmem[0]
        """
        let reports = PtxasKernelReport.parse(text)
        #expect(reports.count == 2)
        #expect(reports[0] == PtxasKernelReport(kernel: "_Z4gemmPf", architecture: "sm_80", registers: 128,
                                                spillStoreBytes: 8, spillLoadBytes: 4, stackFrameBytes: 16, sharedBytes: 16384))
        #expect(reports[0].spills)
        #expect(reports[1].registers == 40 && !reports[1].spills && reports[1].architecture == "sm_90a")
    }
}
