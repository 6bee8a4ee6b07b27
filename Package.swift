// swift-tools-version:6.0
// m2c: an ahead-of-time compiler for Monarch Mixer (M2) models.
// Modules follow the compiler's stages: syntax → frontend (elaboration) → IR → passes → targets,
// with the weights reader and the Float64 reference interpreter beside them.
import PackageDescription

let package = Package(
    name: "m2c",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "m2c", targets: ["m2c"]),
        .library(name: "M2Compiler", targets: ["M2Commands"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Source locations and diagnostics shared by every stage.
        .target(name: "M2Support"),
        // The .m2 language: lexer, AST, parser.
        .target(name: "M2Syntax", dependencies: ["M2Support"]),
        // The static-shaped SSA IR: types, ops, graph, builder, printer, parser, verifier.
        .target(name: "M2IR", dependencies: ["M2Support"]),
        // safetensors reading/writing, weight stores, deterministic random weights.
        .target(name: "M2Weights", dependencies: ["M2Support"]),
        // Float64 reference interpreter over the un-lowered IR.
        .target(name: "M2Reference", dependencies: ["M2Support", "M2IR", "M2Weights"]),
        // Elaboration of .m2 programs (with the standard block prelude) into IR.
        .target(name: "M2Frontend", dependencies: ["M2Support", "M2Syntax", "M2IR"]),
        // IR → IR passes, the pass manager and registry.
        .target(name: "M2Passes", dependencies: ["M2IR", "M2Weights", "M2Reference"]),
        // The CPU back end: IR → C11 library (kernels from Templates/cpu), .m2w weights, Makefile, Swift wrapper.
        .target(name: "M2TargetCPU", dependencies: ["M2IR", "M2Weights", "M2Support"]),
        // The CUDA back end: IR → CUDA C++ library (kernels from Templates/cuda), the same .m2w weights and C API
        // shape as the CPU target; compiled with nvcc (PyPI wheels in CI, see docs/CUDA.md).
        .target(name: "M2TargetCUDA", dependencies: ["M2IR", "M2Weights", "M2Support", "M2Passes", "M2TargetCPU"]),
        // config.json (checkpoint) → .m2 source.
        .target(name: "M2Import", dependencies: ["M2Support"]),
        // The CLI commands as a testable library.
        .target(name: "M2Commands", dependencies: [
            "M2Support", "M2Syntax", "M2IR", "M2Weights", "M2Frontend", "M2Passes", "M2Reference", "M2Import",
            "M2TargetCPU", "M2TargetCUDA",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "m2c", dependencies: ["M2Commands"]),

        .testTarget(name: "M2SyntaxTests", dependencies: ["M2Syntax", "M2Support"]),
        .testTarget(name: "M2IRTests", dependencies: ["M2IR", "M2Support"]),
        .testTarget(name: "M2WeightsTests", dependencies: ["M2Weights"]),
        .testTarget(name: "M2FrontendTests", dependencies: ["M2Frontend", "M2Syntax", "M2IR", "M2Support"]),
        // Inputs/*.ir are golden IR tests read at run time (RUN and CHECK lines), not sources.
        .testTarget(name: "M2PassesTests", dependencies: ["M2Passes", "M2IR", "M2Weights", "M2Reference"],
                    exclude: ["Inputs"]),
        .testTarget(name: "M2TargetCPUTests", dependencies: ["M2TargetCPU", "M2IR", "M2Weights"]),
        .testTarget(name: "M2TargetCUDATests", dependencies: ["M2TargetCUDA", "M2TargetCPU", "M2IR", "M2Weights", "M2Reference",
                                                        "M2Frontend", "M2Passes", "M2Import"]),
        .testTarget(name: "M2ReferenceTests", dependencies: ["M2Reference", "M2IR", "M2Weights"]),
        .testTarget(name: "M2CommandsTests", dependencies: ["M2Commands", "M2Import", "M2Frontend", "M2Passes", "M2Reference", "M2Weights", "M2IR"]),
    ]
)
