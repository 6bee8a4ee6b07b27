import M2IR

/// Fills model.h.tmpl, model.c.tmpl, Makefile.tmpl and model.pc.tmpl for one planned graph.
struct CSourceEmitter {
    let name: String
    let graph: Graph
    let plan: ExecutionPlan
    let interface: ModelInterface
    let hash: [UInt8]
    let templates: TemplateSet
    let options: CPUEmitOptions
    /// The tiles of every matmul with a packed weight, by result.
    let tilings: [ValueID: GemmTiling]
    /// How each `monarch_conv` runs, by result.
    let monarchPlans: [ValueID: MonarchConvKernelPlan]

    private var prefix: String { name.uppercased() }

    private var common: [String: String] {
        ["NAME": name, "PREFIX": prefix, "GRAPH_NAME": escapeC(graph.name), "M2C_VERSION": escapeC(options.m2cVersion),
         "MODEL_HASH": ModelHash.hex(hash)]
    }

    func header() throws(CPUEmitError) -> String {
        var values = common
        values.merge(try interface.headerPlaceholders(prefix: prefix, fragment: templates.fragment)) { $1 }
        values["ARENA_BYTES_PER_ITEM"] = "\(plan.arenaBytesPerItem)"
        return try templates.render("model.h.tmpl", values)
    }

    func source() throws(CPUEmitError) -> String {
        var types: [ValueID: TensorType] = [:]
        for op in graph.ops { types[op.result] = op.type }
        let kernels = KernelInstantiator(
            templates: templates, plan: plan, types: types,
            inputNames: Dictionary(interface.inputs.map { ($0.value, $0.name) }, uniquingKeysWith: { a, _ in a }),
            libraryName: name, options: options, tilings: tilings, monarchPlans: monarchPlans)

        var values = common
        values["NUM_TENSORS"] = "\(plan.tensors.count)"
        values["STATICS_FLOATS"] = "\(plan.staticsFloats)"
        values["M2W_LOADER"] = try templates.render("m2w_loader.c.tmpl", common)
        values["CPU_CHECK"] = try cpuCheck()
        values["MODEL_HASH_BYTES"] = hash.map { "0x" + ModelHash.hex([$0]) }.joined(separator: ", ")
        values["TENSOR_TABLE"] = try plan.tensors.map { (t) throws(CPUEmitError) in
            let bytes = t.shape.reduce(1, *) * 4
            return try templates.fragment("tensor_entry", ["TENSOR": escapeC(t.name), "BYTES": "\(bytes)"])
        }.joined()
        var supportText = "", kernelText = "", prologue = ""
        var forward = GuardedStatements()
        var supportEmitted = Set<String>()
        func add(_ instance: KernelInstantiator.Instance) {
            for (name, text) in instance.support where supportEmitted.insert(name).inserted { supportText += text }
            kernelText += instance.kernel
        }
        for op in plan.prologueOps {
            let instance = try kernels.instantiate(op)
            add(instance)
            prologue += instance.call
        }
        // Each forward call is bracketed for -DM2_PROFILE builds (the brackets are empty otherwise).
        var profileTable = ""
        for (index, op) in plan.forwardOps.enumerated() {
            let instance = try kernels.instantiate(op)
            add(instance)
            if let fill = instance.prologueCall { prologue += fill }
            // An op that feeds only some outputs runs only when one of them is wanted (non-NULL).
            forward.append(try templates.fragment("profile_begin", [:]) + instance.call
                           + templates.fragment("profile_end", ["INDEX": "\(index)"]), when: runCondition(op.result))
            profileTable += try templates.fragment("profile_entry", [
                "KIND": op.kind.mnemonic, "LABEL": escapeC(profileLabel(op)),
                "FLOPS": "\(FlopCount.flops(of: op, operandTypes: op.operands.map { kernels.type($0) }))",
            ])
        }
        values["KERNELS"] = supportText + kernelText
        values["NUM_PROFILED"] = "\(plan.forwardOps.count)"
        values["PROFILE_TABLE"] = profileTable
        values["PROLOGUE"] = prologue
        values["FORWARD_PARAMS"] = try interface.forwardParameters(fragment: templates.fragment)
        values["INPUT_CHECKS"] = try interface.inputs.filter { $0.defaultLiteral == nil }.map { (i) throws(CPUEmitError) in
            try templates.fragment("input_required_check", ["PARAM": i.cName, "INPUT": escapeC(i.name), "PREFIX": prefix])
        }.joined()
        var copies = ""
        // An optional input that no kernel reads (its readers were cut with --outputs) is still a parameter.
        for input in interface.inputs where !plan.liveInputs.contains(input.value) && input.defaultLiteral != nil {
            copies += "    (void)\(input.cName); /* read by no wanted output */\n"
        }
        for input in interface.inputs where plan.liveInputs.contains(input.value) {
            guard case .arena(let offset) = plan.homes[input.value] else { continue }
            var v = ["PARAM": input.cName, "CTYPE": cType(input.dtype), "OFFSET": "\(offset)", "COUNT": "\(input.count)"]
            if let literal = input.defaultLiteral {
                v["DEFAULT"] = literal
                copies += try templates.fragment("input_copy_or_default", v)
            } else {
                copies += try templates.fragment("input_copy", v)
            }
        }
        values["FORWARD"] = copies + forward.text
        values["OUTPUT_COPIES"] = try interface.outputs.map { (o) throws(CPUEmitError) in
            let fragment = o.type.batched ? "output_copy_batched" : "output_copy_shared"
            return try templates.fragment(fragment, ["FIELD": o.cName, "SOURCE": kernels.pointer(o.value),
                                                     "COUNT": "\(o.type.elementCount)", "CTYPE": cType(o.type.dtype)])
        }.joined()
        values["GENERIC_INPUT_ARGS"] = interface.inputs.enumerated().map { i, input in
            " (const \(cType(input.dtype)) *)inputs[\(i)],"
        }.joined()
        values["GENERIC_OUTPUT_FIELDS"] = interface.outputs.enumerated().map { i, o in
            "    out.\(o.cName) = (\(cType(o.type.dtype)) *)outputs[\(i)];\n"
        }.joined()
        return try templates.render("model.c.tmpl", values)
    }

    /// `m2_cpu_runs_kernels()`, which open calls first: the x86 kernels' instructions checked on the running CPU.
    private func cpuCheck() throws(CPUEmitError) -> String {
        let isa = options.isa.rawValue
        let features: [String]
        switch options.isa {
        case .avx512: features = ["avx512f", "avx2", "fma"]
        case .avx2: features = ["avx2", "fma"]
        case .neon:
            return try templates.fragment("cpu_check_none", ["ISA": isa, "WHY": "Advanced SIMD is part of every AArch64 core, and the kernels do not compile for another CPU"])
        case .generic:
            return try templates.fragment("cpu_check_none", ["ISA": isa, "WHY": "portable C"])
        }
        return try templates.fragment("cpu_check_x86", ["ISA": isa, "CPU_FEATURES":
            features.map { "__builtin_cpu_supports(\"\($0)\")" }.joined(separator: " && ")])
    }

    /// The out-of-process runner (`make NAME_harness`) for verification under sanitizers and valgrind.
    func harness() throws(CPUEmitError) -> String {
        var values = common
        values["NUM_INPUTS"] = "\(interface.inputs.count)"
        values["NUM_OUTPUTS"] = "\(interface.outputs.count)"
        values["INPUT_COUNTS"] = interface.inputs.map { "\($0.count)," }.joined(separator: " ")
        values["OUTPUT_COUNTS"] = interface.outputs.map { "\($0.type.elementCount)," }.joined(separator: " ")
        return try templates.render("harness.c.tmpl", values)
    }

    /// Makefile and the pkg-config template (make fills in the OpenMP libraries it detects).
    func buildFiles() throws(CPUEmitError) -> [String: String] {
        var makeValues = common
        makeValues["GEMM_LIBS"] = tilings.values.contains { $0.backend == .openblas } ? " -lopenblas" : ""
        return [
            "Makefile": try templates.render("Makefile.tmpl", makeValues),
            "\(name).pc.in": try templates.render("model.pc.tmpl", common),
        ]
    }

    /// What a profile row shows for an op: its IR name (the block path), value and type.
    private func profileLabel(_ op: Op) -> String {
        (op.name.map { "\($0) " } ?? "") + "\(op.result) : \(op.type)"
    }

    /// The C test that one of the outputs computed from `value` is wanted (non-NULL), when not all of them are.
    private func runCondition(_ value: ValueID) -> String? {
        interface.partialReaders(of: value)?.map { "out->\(interface.outputs[$0].cName)" }.joined(separator: " || ")
    }
}
