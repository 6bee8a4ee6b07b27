import M2IR
import M2TargetCPU

/// Fills model.h.tmpl, model.cu.tmpl (with the device templates and one launch per op) and Makefile.tmpl.
struct CUDASourceEmitter {
    let name: String
    let graph: Graph
    let plan: ExecutionPlan
    let interface: ModelInterface
    let hash: [UInt8]
    let templates: CUDATemplateSet
    let options: CUDAEmitOptions

    private var prefix: String { name.uppercased() }

    /// The device templates, in dependency order; each is generic, so the file holds them all and nvcc
    /// instantiates only what the launches use.
    static let deviceTemplates = ["elementwise.cuh.tmpl", "layout.cuh.tmpl", "layer_norm.cuh.tmpl", "gather.cuh.tmpl",
                                  "convolution.cuh.tmpl", "gemm.cuh.tmpl"]

    private var common: [String: String] {
        ["NAME": name, "PREFIX": prefix, "GRAPH_NAME": escapeC(graph.name), "M2C_VERSION": escapeC(options.m2cVersion),
         "MODEL_HASH": ModelHash.hex(hash), "PRECISION": options.precision.rawValue]
    }

    func header() throws(CUDAEmitError) -> String {
        var values = common
        values.merge(try interface.headerPlaceholders(prefix: prefix, fragment: templates.fragment)) { $1 }
        values["ARENA_BYTES_PER_ITEM"] = "\(plan.arenaBytesPerItem)"
        return try templates.render("model.h.tmpl", values)
    }

    func source() throws(CUDAEmitError) -> String {
        var kernels = CUDAKernelInstantiator(
            templates: templates, plan: plan,
            inputNames: Dictionary(interface.inputs.map { ($0.value, $0.name) }, uniquingKeysWith: { a, _ in a }),
            precision: options.precision)
        var prologue = ""
        for op in plan.prologueOps { prologue += try kernels.launch(op) }
        var guarded = GuardedStatements()
        for op in plan.forwardOps {
            // An op that feeds only some outputs runs only when one of them is wanted (non-NULL).
            guarded.append(try kernels.launch(op), when: runCondition(op.result))
        }
        let forward = guarded.text

        var values = common
        var device = try templates.render("common.cuh.tmpl", [
            "PRECISION": options.precision.rawValue, "STORAGE": options.precision.storageType,
            "TENSOR_CORES": options.precision.usesTensorCores ? "1" : "0",
        ])
        for file in Self.deviceTemplates { device += "\n" + (try templates.render(file, [:])) }
        values["DEVICE_CODE"] = device + kernels.deviceCode.map { "\n" + $0 }.joined()
        values["NUM_TENSORS"] = "\(plan.tensors.count)"
        values["STATICS_FLOATS"] = "\(plan.staticsFloats)"
        values["NUM_TABLE_FLOATS"] = "\(kernels.tables.count)"
        values["TABLE_VALUES"] = kernels.tables.map { "\(cFloat(Double($0))), " }.joined()
        values["SCRATCH_BYTES_PER_ITEM"] = "\(kernels.scratchBytesPerItem)"
        values["KEEP_F32_TENSORS"] = kernels.readsF32Tensors ? "1" : "0"
        values["STAGING_FLOATS_PER_ITEM"] = "\(stagingFloatsPerItem)"
        values["MODEL_HASH_BYTES"] = hash.map { "0x" + ModelHash.hex([$0]) }.joined(separator: ", ")
        values["TENSOR_TABLE"] = try plan.tensors.map { (t) throws(CUDAEmitError) in
            try templates.fragment("tensor_entry", ["TENSOR": escapeC(t.name), "BYTES": "\(t.shape.reduce(1, *) * 4)"])
        }.joined()
        values["GATHER_SITES"] = try kernels.gatherSites.map { (site) throws(CUDAEmitError) in
            try templates.fragment("gather_site", ["INPUT": escapeC(site.input), "ROWS": "\(site.rows)"])
        }.joined()
        do { values["M2W_LOADER"] = try CPUEmitter.m2wLoaderSource(name: name) } catch { throw CUDAEmitError(error) }
        values["PROLOGUE"] = prologue
        values["FORWARD"] = forward
        // Bit i of m2_run's `wanted`: output i's pointer is non-NULL (outputs past the mask's width always run).
        let tests = interface.outputs.prefix(Self.maskBits).enumerated().map { i, o in
            "(out->\(o.cName) ? \(Self.mask([i])) : 0ull)"
        }
        values["WANTED_MASK"] = tests.isEmpty ? "0ull" : tests.joined(separator: " | ")
        values["FORWARD_PARAMS"] = try interface.forwardParameters(fragment: templates.fragment)
        values["INPUT_CHECKS"] = try interface.inputs.filter { $0.defaultLiteral == nil }.map { (i) throws(CUDAEmitError) in
            try templates.fragment("input_required_check", ["PARAM": i.cName, "INPUT": escapeC(i.name), "PREFIX": prefix])
        }.joined()
        values["INPUT_COPIES"] = try inputCopies(kernels)
        values["OUTPUT_COPIES"] = try interface.outputs.map { (o) throws(CUDAEmitError) in
            try templates.fragment(o.type.batched ? "output_copy_batched" : "output_copy_shared", [
                "FIELD": o.cName, "SOURCE": try kernels.pointer(o.value), "COUNT": "\(o.type.elementCount)",
                "CONVERT": converts(o.type.dtype) ? "1" : "0", "OUTPUT": escapeC(o.name), "PREFIX": prefix,
            ])
        }.joined()
        values["GENERIC_INPUT_ARGS"] = interface.inputs.enumerated().map { i, input in
            " (const \(cType(input.dtype)) *)inputs[\(i)],"
        }.joined()
        values["GENERIC_OUTPUT_FIELDS"] = interface.outputs.enumerated().map { i, o in
            "    out.\(o.cName) = (\(cType(o.type.dtype)) *)outputs[\(i)];\n"
        }.joined()
        return try templates.render("model.cu.tmpl", values)
    }

    func makefile() throws(CUDAEmitError) -> String {
        var values = common
        values["ARCHS"] = options.architectures.joined(separator: " ")
        return try templates.render("Makefile.tmpl", values)
    }

    /// Whether a caller's buffer of this dtype goes through a float ↔ storage-type conversion.
    private func converts(_ d: DType) -> Bool { d == .f32 && options.precision != .fp32 }

    /// The largest float input or output per item that needs conversion (the staging buffer's size per item).
    private var stagingFloatsPerItem: Int {
        let inputs = interface.inputs.filter { converts($0.dtype) }.map(\.count)
        let outputs = interface.outputs.filter { converts($0.type.dtype) }.map(\.type.elementCount)
        return (inputs + outputs).max() ?? 0
    }

    private func inputCopies(_ kernels: CUDAKernelInstantiator) throws(CUDAEmitError) -> String {
        var text = ""
        for input in interface.inputs where plan.liveInputs.contains(input.value) {
            var values = [
                "PARAM": input.cName, "DST": try kernels.pointer(input.value), "COUNT": "\(input.count)",
                "CONVERT": converts(input.dtype) ? "1" : "0", "INPUT": escapeC(input.name), "PREFIX": prefix,
                "T": kernels.storage(input.dtype),
            ]
            if let literal = input.defaultLiteral {
                values["DEFAULT"] = literal
                text += try templates.fragment("input_copy_or_default", values)
            } else {
                text += try templates.fragment("input_copy", values)
            }
        }
        return text
    }

    /// Outputs m2_run's `wanted` mask (an unsigned long long) can tell apart.
    static let maskBits = 64
    /// The mask with the bits of `outputs` set, as a C literal.
    static func mask(_ outputs: [Int]) -> String {
        "0x" + String(outputs.reduce(UInt64(0)) { $0 | UInt64(1) << UInt64($1) }, radix: 16) + "ull"
    }

    /// The C test that one of the outputs computed from `value` is wanted, when not all of them are (and the
    /// mask can tell them apart).
    private func runCondition(_ value: ValueID) -> String? {
        guard let readers = interface.partialReaders(of: value), readers.allSatisfy({ $0 < Self.maskBits }) else { return nil }
        return "wanted & \(Self.mask(readers))"
    }
}
