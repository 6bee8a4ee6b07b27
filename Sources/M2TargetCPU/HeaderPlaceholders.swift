/// The placeholders of model.h.tmpl that come from the model's interface alone, the same for the C and the CUDA
/// header: its shape and output constants, the outputs struct's fields and forward's parameters. `fragment`
/// fills one named fragment of the target's own template set (each has shape_constant, output_constant,
/// output_field and forward_param), so each target keeps its error type.
public extension ModelInterface {
    func headerPlaceholders<Failure: Error>(
        prefix: String, fragment: (String, [String: String]) throws(Failure) -> String
    ) throws(Failure) -> [String: String] {
        var values: [String: String] = [:]
        values["SHAPE_CONSTANTS"] = try shapeConstants.map { (key, value) throws(Failure) in
            try fragment("shape_constant", ["PREFIX": prefix, "KEY": key, "VALUE": "\(value)"])
        }.joined()
        values["NUM_OUTPUTS"] = "\(outputs.count)"
        values["OUTPUT_CONSTANTS"] = try outputs.map { (o) throws(Failure) in
            try fragment("output_constant", ["PREFIX": prefix, "KEY": o.macroKey, "COUNT": "\(o.type.elementCount)",
                                             "TYPE": "\(o.type) '\(escapeC(o.name))'"])
        }.joined()
        values["OUTPUT_FIELDS"] = try outputs.map { (o) throws(Failure) in
            try fragment("output_field", ["CTYPE": cType(o.type.dtype), "FIELD": o.cName,
                                          "TYPE": "output '\(escapeC(o.name))', \(o.type)"])
        }.joined()
        values["FORWARD_PARAMS"] = try forwardParameters(fragment: fragment)
        values["NUM_INPUTS"] = "\(inputs.count)"
        return values
    }

    /// forward's input parameters, documented with their defaults (the header's and the source's FORWARD_PARAMS).
    func forwardParameters<Failure: Error>(
        fragment: (String, [String: String]) throws(Failure) -> String
    ) throws(Failure) -> String {
        try inputs.map { (i) throws(Failure) in
            let doc = i.defaultLiteral.map { "NULL means every element is \($0)" } ?? "required"
            return try fragment("forward_param", [
                "CTYPE": cType(i.dtype), "PARAM": i.cName, "TYPE": "input '\(escapeC(i.name))' \(i.dtype.rawValue)",
                "COUNT": "\(i.count)", "DEFAULT_DOC": doc,
            ])
        }.joined()
    }
}
