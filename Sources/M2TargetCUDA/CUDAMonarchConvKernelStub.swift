import M2IR

// STUB until the wt-cuda-fft branch merges: it defines CUDAMonarchConvKernel (Sources/M2TargetCUDA/MonarchConv*.swift)
// with exactly this interface; delete this file then. Until `monarch_conv` exists in the IR nothing calls it.

/// The Monarch-FFT convolution kernel of one `monarch_conv` op (interface of the wt-cuda-fft helper).
struct CUDAMonarchConvKernel {
    init(channels: Int, length: Int, factors: [Int], preGate: Bool, postGate: Bool, residual: Bool,
         precision: CUDAPrecision, templates: CUDATemplateSet) throws(CUDAEmitError) {
        throw .unsupported(op: "monarch_conv", reason: "the CUDA Monarch-FFT convolution kernel is not merged into this build yet")
    }

    func deviceCode(prefix: String) throws(CUDAEmitError) -> String { "" }

    func launch(prefix: String, x: String, g1: String?, g2: String?, residual: String?, spectrum: String,
                tables: String, output: String, scratch: String?, batch: String, stream: String) -> String { "" }

    var tables: [Float] { [] }
    var scratchBytesPerItem: Int { 0 }
}
