import M2IR
import M2Weights

/// The CPU back end: a graph becomes a self-contained C11 library (header, source, Makefile, pkg-config file,
/// Swift wrapper) plus its .m2w weights file.
///
///     let lib = try CPUEmitter.emit(graph: g, weights: store, name: "bert")
///     try lib.write(to: "out/")          // then: make -C out && link libbert.a, call bert_forward
public enum CPUEmitter {
    public static func emit(graph: Graph, weights: WeightStore?, name: String,
                            options: CPUEmitOptions = CPUEmitOptions()) throws(CPUEmitError) -> EmittedLibrary {
        guard isCIdentifier(name) else { throw .invalidName(name) }
        let templates = try TemplateSet.load(options)
        let graph = TilingModel.annotate(graph, options: options)
        let tilings = try TilingModel.tilings(graph, options: options)
        let monarchPlans = MonarchConvKernelPlan.plans(graph, isa: options.isa)
        let plan = try ExecutionPlan(graph, panelWidths: tilings.mapValues(\.nr), kernelMemory: MonarchConvKernelPlan.kernelMemory(monarchPlans))
        let hash = ModelHash.of(graph)
        let interface = try ModelInterface(graph: graph, plan: plan)
        var files: [String: [UInt8]] = [:]
        let sources = CSourceEmitter(name: name, graph: graph, plan: plan, interface: interface, hash: hash,
                                     templates: templates, options: options, tilings: tilings, monarchPlans: monarchPlans)
        files["\(name).h"] = Array(try sources.header().utf8)
        files["\(name).c"] = Array(try sources.source().utf8)
        files["\(name)_harness.c"] = Array(try sources.harness().utf8)
        for (file, text) in try sources.buildFiles() { files[file] = Array(text.utf8) }
        let wrapper = SwiftWrapperEmitter(name: name, graphName: graph.name, m2cVersion: options.m2cVersion,
                                          interface: interface, templates: templates)
        files["\(name).swift"] = Array(try wrapper.wrapper().utf8)
        files["module.modulemap"] = Array(try wrapper.moduleMap().utf8)
        if let weights {
            files["\(name).m2w"] = try weightsImage(graph: graph, plan: plan, hash: hash, weights: weights)
        }
        return EmittedLibrary(name: name, files: files, modelHash: ModelHash.hex(hash),
                              arenaBytesPerItem: plan.arenaBytesPerItem, staticsBytes: 4 * plan.staticsFloats)
    }

    /// Only the .m2w for `graph` (e.g. to ship new weights for an already built library); `options` must be
    /// those of the compile, since the packed layouts depend on the chosen kernels.
    public static func weightsFile(graph: Graph, weights: WeightStore,
                                   options: CPUEmitOptions = CPUEmitOptions()) throws(CPUEmitError) -> [UInt8] {
        let tilings = try TilingModel.tilings(graph, options: options)
        let monarchPlans = MonarchConvKernelPlan.plans(graph, isa: options.isa)
        let plan = try ExecutionPlan(graph, panelWidths: tilings.mapValues(\.nr), kernelMemory: MonarchConvKernelPlan.kernelMemory(monarchPlans))
        return try weightsImage(graph: graph, plan: plan, hash: ModelHash.of(graph), weights: weights)
    }

    /// The C .m2w reader (Templates/cpu/m2w_loader.c.tmpl) for library `name`; the CUDA target includes it too.
    public static func m2wLoaderSource(name: String) throws(CPUEmitError) -> String {
        let prefix = name.uppercased()
        return try TemplateSet(files: embeddedCPUTemplates).render("m2w_loader.c.tmpl", ["NAME": name, "PREFIX": prefix])
    }

    /// `NAME.swift` and `module.modulemap` for a library with this interface: the CUDA library has the same C API
    /// shape, so it shares the wrapper.
    public static func swiftWrapperFiles(name: String, graphName: String, m2cVersion: String,
                                         interface: ModelInterface) throws(CPUEmitError) -> [String: String] {
        let wrapper = SwiftWrapperEmitter(name: name, graphName: graphName, m2cVersion: m2cVersion, interface: interface,
                                          templates: try TemplateSet(files: embeddedCPUTemplates))
        return ["\(name).swift": try wrapper.wrapper(), "module.modulemap": try wrapper.moduleMap()]
    }

    /// Hex SHA-256 identity of a graph, as written into the header and the .m2w.
    public static func modelHash(of graph: Graph) -> String { ModelHash.hex(ModelHash.of(graph)) }

    /// The .m2w image of `plan`'s tensors (in their planned layouts) stamped with `hash`; also the CUDA target's.
    public static func weightsImage(graph: Graph, plan: ExecutionPlan, hash: [UInt8],
                                    weights: WeightStore) throws(CPUEmitError) -> [UInt8] {
        var tensors: [M2WTensor] = []
        for stored in plan.tensors {
            guard let op = graph.op(defining: stored.leaf) else { continue }
            let values: [Float]
            switch op.kind {
            case .weight(let key):
                guard let shape = weights.shape(of: key) else { throw .missingWeight(key: key) }
                guard shape == op.type.shape else { throw .weightShapeMismatch(key: key, expected: op.type.shape, found: shape) }
                do { values = try weights.floats(key) } catch { throw .unreadableWeight(key: key, reason: error.description) }
                guard values.count == op.type.elementCount else {
                    throw .unreadableWeight(key: key, reason: "\(values.count) values for shape \(shape)")
                }
            case .constant(let data):
                values = data.values.map { Float($0) }
            default:
                continue
            }
            switch stored.layout {
            case .plain:
                tensors.append(M2WTensor(name: stored.name, dtype: 0, shape: op.type.shape, values: values))
            case .packedPanels(let width):
                tensors.append(M2WTensor(name: stored.name, dtype: 0, shape: stored.shape,
                                         values: WeightPacking.pack(values, shape: op.type.shape, panelWidth: width)))
            case .channelLanes(let lanes):
                tensors.append(M2WTensor(name: stored.name, dtype: 0, shape: stored.shape,
                                         values: SpectrumPacking.pack(values, shape: op.type.shape, lanes: lanes)))
            }
        }
        return M2WWriter.image(hash: hash, tensors: tensors)
    }
}

public func isCIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
}
