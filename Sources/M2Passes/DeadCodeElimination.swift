import M2IR

/// `dce`: removes ops whose results no output or probe needs, directly or through other ops.
/// Inputs stay even when unused: they are the compiled model's calling convention.
///
///     %0 = input "ids" : i32[B,4]            %0 = input "ids" : i32[B,4]
///     %1 = input "mask" : i32[B,4]           %1 = input "mask" : i32[B,4]
///     %2 = weight "emb" : f32[10,8]    →     %2 = weight "emb" : f32[10,8]
///     %3 = weight "unused" : f32[8]          %3 = gather %2, %0 : f32[B,4,8]
///     %4 = gather %2, %0 : f32[B,4,8]        output "y" = %3
///     %5 = scale %4 {factor = 2.0} : …
///     output "y" = %4
public struct DeadCodeElimination: Pass {
    public let name = "dce"
    public let summary = "Remove ops (weights and constants included) that no output or probe uses; keep all inputs."

    public init() {}

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        var live = Set(graph.outputs.map(\.value))
        // Ops are in execution order, so one backward sweep sees every user before its operands.
        for op in graph.ops.reversed() {
            if case .input = op.kind { live.insert(op.result) }
            if live.contains(op.result) { live.formUnion(op.operands) }
        }
        graph.ops.removeAll { !live.contains($0.result) }
    }
}
