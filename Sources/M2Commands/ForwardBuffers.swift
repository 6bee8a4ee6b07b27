import M2IR

/// Input and output buffers for `NAME_forward_v`, allocated once so repeated forwards time only the model.
/// Inputs without values (defaults) are passed as NULL; every non-probe output gets a buffer.
final class ForwardBuffers {
    private(set) var inputs: [UnsafeRawPointer?] = []
    private(set) var outputs: [UnsafeMutableRawPointer?] = []
    let batch: Int

    init(graph: Graph, inputs values: ModelInputs) {
        batch = values.batch
        for op in graph.inputs {
            guard case .input(let name) = op.kind, let v = values.tensors[name] else { inputs.append(nil); continue }
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, v.count) * 4, alignment: 64)
            for (i, x) in v.enumerated() {
                if op.type.dtype == .i32 { raw.storeBytes(of: Int32(x), toByteOffset: 4 * i, as: Int32.self) }
                else { raw.storeBytes(of: Float(x), toByteOffset: 4 * i, as: Float.self) }
            }
            inputs.append(UnsafeRawPointer(raw))
        }
        for out in graph.outputs where !out.isProbe {
            let t = graph.type(of: out.value) ?? .f32([])
            let count = (t.batched ? batch : 1) * t.elementCount
            outputs.append(UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64))
        }
    }

    deinit {
        for p in inputs { UnsafeMutableRawPointer(mutating: p)?.deallocate() }
        for p in outputs { p?.deallocate() }
    }
}
