import Foundation
import M2Reference
import M2Weights

/// The golden fixtures are read with the project's own safetensors reader.
typealias TestSafetensors = SafetensorsFile

struct TestSafetensorsError: Error, CustomStringConvertible {
    var description: String
}

extension SafetensorsFile {
    /// The tensor as Float64 (the golden references are F32, widened exactly).
    func tensor(_ key: String) throws -> Tensor64 {
        guard let shape = shape(of: key) else { throw TestSafetensorsError(description: "\(origin): no tensor '\(key)'") }
        return Tensor64(shape: shape, values: try floats(key).map(Double.init))
    }
}
