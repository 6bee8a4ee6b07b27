// libFuzzer target: arbitrary bytes as a .safetensors file. Opening validates the header; every tensor
// that opened is then read in full, so an offset the validation missed shows up as an ASan report.
import Foundation
import M2Weights

/// One scratch file per process (libFuzzer forks workers with -jobs), on tmpfs when there is one.
private let scratchPath: String = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(dir)/m2c-fuzz-safetensors-\(getpid()).safetensors"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes: data, count: size)) else { return 0 }
    guard let file = try? SafetensorsFile(path: scratchPath) else { return 0 }
    for key in file.keys {
        _ = try? file.floats(key)
        _ = try? file.int32s(key)
    }
    return 0
}
