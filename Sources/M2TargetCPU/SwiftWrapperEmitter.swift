import M2IR

/// Fills model.swift.tmpl and module.modulemap.tmpl: a Swift class over the C API, so Swift callers pass
/// arrays and get arrays back without touching pointers.
struct SwiftWrapperEmitter {
    let name: String
    let graphName: String
    let m2cVersion: String
    let interface: ModelInterface
    let templates: TemplateSet

    /// `bert_tiny` → `BertTiny`: the prefix of the Swift types.
    var typeName: String {
        let camel = ModelInterface.camelCase(name)
        return camel.prefix(1).uppercased() + camel.dropFirst()
    }

    /// The Clang module exposing the C header.
    var moduleName: String { "C" + typeName }

    func moduleMap() throws(CPUEmitError) -> String {
        try templates.render("module.modulemap.tmpl", ["NAME": name, "MODULE": moduleName])
    }

    func wrapper() throws(CPUEmitError) -> String {
        var sizes = "", properties = "", checks = "", allocations = "", members = ""
        var all: UInt64 = 0
        for (i, o) in interface.outputs.enumerated() {
            // OutputSet has one bit per output for the first 64 (but none for a name its own members take);
            // the others are always computed.
            let bit: UInt64? = i < 64 && !["all", "rawValue"].contains(o.swiftName) ? UInt64(1) << UInt64(i) : nil
            var v = ["SWIFT": o.swiftName, "COUNT": "\(o.type.elementCount)", "STYPE": swiftType(o.type.dtype),
                     "WANTED": bit == nil ? "true" : "wanted.contains(.\(o.swiftName))"]
            sizes += try templates.fragment("swift_output_size", v)
            properties += try templates.fragment("swift_output_property", v)
            allocations += try templates.fragment("swift_output_allocation", v)
            if let bit {
                v["BIT"] = "0x" + String(bit, radix: 16)
                members += try templates.fragment("swift_output_member", v)
                all |= bit
            }
        }
        var params: [String] = []
        for (i, input) in interface.inputs.enumerated() {
            let optional = input.defaultLiteral != nil
            params.append("\(input.swiftName): [\(swiftType(input.dtype))]\(optional ? "? = nil" : "")")
            if i == 0 { params.append("batch: Int") }
            checks += try templates.fragment(optional ? "swift_input_check" : "swift_required_input_check", [
                "SWIFT": input.swiftName, "COUNT": "\(input.count)", "INPUT": input.name,
            ])
        }
        if interface.inputs.isEmpty { params.append("batch: Int") }
        return try templates.render("model.swift.tmpl", [
            "NAME": name, "PREFIX": name.uppercased(), "MODULE": moduleName, "TYPE": typeName,
            "GRAPH_NAME": graphName, "M2C_VERSION": m2cVersion,
            "OUTPUT_SIZES": sizes, "OUTPUT_PROPERTIES": properties, "INPUT_CHECKS": checks,
            "OUTPUT_ALLOCATIONS": allocations, "FORWARD_PARAMS": params.joined(separator: ", "),
            "OUTPUT_MEMBERS": members, "ALL_OUTPUTS": "0x" + String(all, radix: 16),
            "CALL": call(),
            "OUTPUT_INIT": interface.outputs.map { "\($0.swiftName): \($0.swiftName)" }.joined(separator: ", "),
        ])
    }

    /// The C call wrapped in one closure per buffer it borrows: outputs first, then inputs.
    private func call() -> String {
        var open = "", close = ""
        for (i, o) in interface.outputs.enumerated() {
            // An output not wanted is an empty array: NULL, so forward skips the kernels only it reads.
            open += "\(o.swiftName).withUnsafeMutableBufferPointer { o\(i) in out.\(o.cName) = o\(i).isEmpty ? nil : o\(i).baseAddress; return "
            close += " }"
        }
        var args: [String] = []
        for (i, input) in interface.inputs.enumerated() {
            if input.defaultLiteral != nil {
                open += "withOptionalBuffer(\(input.swiftName)) { i\(i) in "
                args.append("i\(i)")
            } else {
                open += "\(input.swiftName).withUnsafeBufferPointer { i\(i) in "
                args.append("i\(i).baseAddress")
            }
            close += " }"
        }
        let inner = "\(name)_forward(handle, Int32(batch), \((args + ["&out"]).joined(separator: ", ")))"
        return open + inner + close
    }

    private func swiftType(_ d: DType) -> String { d == .f32 ? "Float" : "Int32" }
}
