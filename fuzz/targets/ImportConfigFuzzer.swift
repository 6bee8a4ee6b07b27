// libFuzzer target: arbitrary bytes as a checkpoint config.json for `m2c import`: parse, and when the
// config is accepted, write the .m2 source for it.
import Foundation
import M2Import

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImportConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let config = try CheckpointConfig.parse(bytes, path: "fuzz.config.json")
        _ = ModelWriter.source(for: config, configPath: "fuzz.config.json")
    } catch {
        _ = error.description
    }
    return 0
}
