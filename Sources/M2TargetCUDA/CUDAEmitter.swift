import M2IR
import M2TargetCPU
import M2Weights

/// The CUDA back end: a graph becomes a CUDA C++ library with the CPU target's C API shape (NAME.h, NAME.cu,
/// a Makefile building libNAME.so with nvcc, the Swift wrapper) plus the same .m2w weights format, uploaded to
/// the device at open. docs/CUDA.md describes the design.
///
///     let lib = try CUDAEmitter.emit(graph: g, weights: store, name: "bert", options: .init(precision: .bf16))
///     try lib.write(to: "out/")          // then: make -C out NVCC=… && link libbert.so, call bert_forward
public enum CUDAEmitter {
    /// The first line of the graph description hashed into header and .m2w: weights are stored as in the IR
    /// (no CPU panel packing), so CPU and CUDA weights files are not interchangeable.
    static let hashLayout = "m2c-cuda m2w-layout 1 plain"

    public static func emit(graph: Graph, weights: WeightStore?, name: String,
                            options: CUDAEmitOptions = CUDAEmitOptions()) throws(CUDAEmitError) -> EmittedLibrary {
        guard isCIdentifier(name) else { throw .invalidName(name) }
        for arch in options.architectures {
            if let problem = CUDAEmitOptions.architectureProblem(arch, precision: options.precision) {
                throw .unsupported(op: "--cuda-arch \(arch)", reason: problem)
            }
        }
        let templates: CUDATemplateSet
        if let dir = options.templateDirectory { templates = try .load(directory: dir) } else { templates = try .embedded() }
        let plan: ExecutionPlan, interface: ModelInterface
        do {
            plan = try ExecutionPlan(graph)
            interface = try ModelInterface(graph: graph, plan: plan)
        } catch { throw CUDAEmitError(error) }
        let hash = ModelHash.of(graph, layout: hashLayout)
        let sources = CUDASourceEmitter(name: name, graph: graph, plan: plan, interface: interface, hash: hash,
                                        templates: templates, options: options)
        var files: [String: [UInt8]] = [:]
        files["\(name).h"] = Array(try sources.header().utf8)
        files["\(name).cu"] = Array(try sources.source().utf8)
        files["Makefile"] = Array(try sources.makefile().utf8)
        do {
            let wrapper = try CPUEmitter.swiftWrapperFiles(name: name, graphName: graph.name, m2cVersion: options.m2cVersion,
                                                           interface: interface)
            for (file, text) in wrapper { files[file] = Array(text.utf8) }
            if let weights { files["\(name).m2w"] = try CPUEmitter.weightsImage(graph: graph, plan: plan, hash: hash, weights: weights) }
        } catch { throw CUDAEmitError(error) }
        return EmittedLibrary(name: name, files: files, modelHash: ModelHash.hex(hash), arenaBytesPerItem: plan.arenaBytesPerItem)
    }

    /// Hex SHA-256 identity of a graph as the CUDA target stamps it into the header and the .m2w.
    public static func modelHash(of graph: Graph) -> String { ModelHash.hex(ModelHash.of(graph, layout: hashLayout)) }
}
