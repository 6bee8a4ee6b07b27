import Testing
import M2Weights

/// Hostile and broken files: each must be refused with `.malformedFile` whose reason says what is wrong.
@Suite struct MalformedSafetensorsTests {
    /// Opens `path`, expects `.malformedFile`, and returns the reason.
    func reason(_ path: String) -> String? {
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("\(path) was accepted")
            return nil
        } catch {
            guard case .malformedFile(let p, let reason) = error else {
                Issue.record("expected .malformedFile, got \(error)")
                return nil
            }
            #expect(p == path)
            return reason
        }
    }

    func reason(header: String, data: [UInt8] = [], length: UInt64? = nil) throws -> String {
        try #require(reason(try TestFiles.safetensors(header: header, data: data, length: length)))
    }

    /// One valid F32 entry with the given fields.
    func entry(_ key: String = "w", dtype: String = "\"F32\"", shape: String = "[2]", offsets: String = "[0,8]") -> String {
        "\"\(key)\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    let eightBytes = [UInt8](repeating: 0, count: 8)

    @Test func tooShortForTheLengthField() throws {
        for n in [0, 1, 7] {
            let r = try #require(reason(try TestFiles.write([UInt8](repeating: 1, count: n))))
            #expect(r.contains("shorter than the 8-byte"), "\(r)")
        }
    }

    @Test func headerLengthPastEndOfFile() throws {
        let r = try reason(header: "{}", length: 3)
        #expect(r.contains("header length 3") && r.contains("2 bytes"), "\(r)")
    }

    @Test func headerLengthOverLimit() throws {
        for length in [UInt64(100_000_001), UInt64.max] {
            let r = try reason(header: "{}", length: length)
            #expect(r.contains("exceeds the limit"), "\(r)")
        }
    }

    @Test func headerThatIsNotAnObject() throws {
        for (text, kind) in [("[]", "an array"), ("\"x\"", "a string"), ("3", "a number"), ("null", "null")] {
            let r = try reason(header: text)
            #expect(r.contains("not an object") && r.contains(kind), "\(r)")
        }
    }

    @Test func invalidJSON() throws {
        let cases: [(String, String)] = [
            ("{\"a\":", "unexpected end"),
            ("{", "expected a string key"),
            ("{\"a\":{}} x", "unexpected text after"),
            ("{\"a\" {}}", "expected ':'"),
            ("{'a':1}", "expected a string key"),
            ("{\"a\":tru}", "invalid literal"),
            ("{\"a\":01}", "leading zero"),
            ("{\"a\":\"\\q\"}", "invalid escape"),
            ("{\"a\":\"\\ud800\"}", "high surrogate"),
            ("{\"a\":\"\\udc00\"}", "lone low surrogate"),
            ("{\"a\":\"\\u12g4\"}", "invalid hex"),
            ("{\"a\":\"x\ny\"}", "control character"),
            ("{\"a\":\"never closed}", "unterminated string"),
            ("{\"a\":[1,]}", "unexpected character ']'"),
        ]
        for (text, expected) in cases {
            let r = try reason(header: text)
            #expect(r.contains("header JSON") && r.contains(expected), "\(text): \(r)")
        }
    }

    @Test func deepNestingIsRefusedWithoutRecursingForever() throws {
        let r = try reason(header: "{\"a\":" + String(repeating: "[", count: 100_000) + "}")
        #expect(r.contains("nested deeper"), "\(r)")
    }

    @Test func invalidUTF8InHeader() throws {
        let header: [UInt8] = Array("{\"".utf8) + [0xFF, 0xFE] + Array("\":{}}".utf8)
        let r = try #require(reason(try TestFiles.write(TestFiles.littleEndian(UInt64(header.count)) + header)))
        #expect(r.contains("not valid UTF-8"), "\(r)")
    }

    @Test func duplicateKeys() throws {
        let r = try reason(header: "{\(entry("w")),\(entry("w", offsets: "[8,16]"))}", data: eightBytes + eightBytes)
        #expect(r.contains("duplicate key 'w'"), "\(r)")
        // Inside an entry too.
        let r2 = try reason(header: "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: eightBytes)
        #expect(r2.contains("duplicate key 'dtype'"), "\(r2)")
    }

    @Test func missingOrUnknownDType() throws {
        let r = try reason(header: "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data: eightBytes)
        #expect(r.contains("'w'") && r.contains("missing \"dtype\""), "\(r)")
        let r2 = try reason(header: "{\(entry("weird.key", dtype: "\"F8_E4M3\""))}", data: eightBytes)
        #expect(r2.contains("'weird.key'") && r2.contains("unknown dtype 'F8_E4M3'"), "\(r2)")
        let r3 = try reason(header: "{\(entry(dtype: "4"))}", data: eightBytes)
        #expect(r3.contains("'w'") && r3.contains("not a string"), "\(r3)")
    }

    @Test func badShapes() throws {
        let cases: [(String, String)] = [
            ("[-2]", "shape[0] = -2 is negative"),
            ("[1.5]", "shape[0] = 1.5 is not an integer"),
            ("[2e0]", "is not an integer"),
            ("[\"2\"]", "shape[0] = a string is not an integer"),
            ("2", "shape is a number, not an array"),
            ("[99999999999999999999]", "is too large"),
        ]
        for (shape, expected) in cases {
            let r = try reason(header: "{\(entry("t", shape: shape))}", data: eightBytes)
            #expect(r.contains("'t'") && r.contains(expected), "\(shape): \(r)")
        }
        let missing = try reason(header: "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", data: eightBytes)
        #expect(missing.contains("missing \"shape\""), "\(missing)")
    }

    @Test func badOffsets() throws {
        let cases: [(String, String)] = [
            ("[8,0]", "begin 8 > end 0"),
            ("[0,16]", "end 16 is past the data section (8 bytes)"),
            ("[0]", "data_offsets has 1 numbers"),
            ("[0,8,8]", "data_offsets has 3 numbers"),
            ("[0,18446744073709551615]", "data_offsets[1] = 18446744073709551615 is too large"),
            ("[18446744073709551615,0]", "is too large"),
            ("[-1,8]", "is negative"),
            ("{}", "data_offsets is an object"),
        ]
        for (offsets, expected) in cases {
            let r = try reason(header: "{\(entry("t", offsets: offsets))}", data: eightBytes)
            #expect(r.contains("'t'") && r.contains(expected), "\(offsets): \(r)")
        }
    }

    @Test func sizeMustMatchShapeTimesItemSize() throws {
        let r = try reason(header: "{\(entry("t", shape: "[3]"))}", data: eightBytes)
        #expect(r.contains("'t'") && r.contains("cover 8 bytes") && r.contains("needs 12"), "\(r)")
        let r2 = try reason(header: "{\(entry("t", dtype: "\"F64\""))}", data: eightBytes)
        #expect(r2.contains("needs 16"), "\(r2)")
    }

    @Test func shapeProductOverflowIsCaught() throws {
        let r = try reason(header: "{\(entry("t", shape: "[4294967296,4294967296,16]"))}", data: eightBytes)
        #expect(r.contains("'t'") && r.contains("overflow"), "\(r)")
        let r2 = try reason(header: "{\(entry("t", shape: "[9223372036854775807]"))}", data: eightBytes)
        #expect(r2.contains("overflow"), "\(r2)")
    }

    @Test func overlappingTensors() throws {
        let header = "{\(entry("a", offsets: "[0,8]")),\(entry("b", offsets: "[4,12]"))}"
        let r = try reason(header: header, data: eightBytes + eightBytes)
        #expect(r.contains("'a'") && r.contains("'b'") && r.contains("overlap"), "\(r)")
        // Same range twice also overlaps; empty tensors never do.
        let r2 = try reason(header: "{\(entry("a")),\(entry("c"))}", data: eightBytes)
        #expect(r2.contains("overlap"), "\(r2)")
        let ok = try TestFiles.safetensors(header: "{\(entry("a")),\(entry("e", shape: "[0]", offsets: "[4,4]"))}", data: eightBytes)
        #expect(try SafetensorsFile(path: ok).keys == ["a", "e"])
    }

    @Test func badMetadata() throws {
        let r = try reason(header: "{\"__metadata__\":{\"format\":1}}")
        #expect(r.contains("'format'") && r.contains("not a string"), "\(r)")
        let r2 = try reason(header: "{\"__metadata__\":[]}")
        #expect(r2.contains("__metadata__") && r2.contains("not an object"), "\(r2)")
    }

    @Test func entryThatIsNotAnObject() throws {
        let r = try reason(header: "{\"t\":[1,2]}")
        #expect(r.contains("'t'") && r.contains("not an object"), "\(r)")
    }

    @Test func unreadablePathsAreCannotOpen() throws {
        #expect(throws: WeightsError.cannotOpen(path: "/no/such/file.safetensors", reason: "No such file or directory")) {
            try SafetensorsFile(path: "/no/such/file.safetensors")
        }
        #expect(throws: WeightsError.cannotOpen(path: "/tmp", reason: "not a regular file")) { try SafetensorsFile(path: "/tmp") }
    }

    @Test func validEdgeCasesAreAccepted() throws {
        // Unicode escapes (incl. a surrogate pair) in keys, whitespace padding, an empty header.
        let path = try TestFiles.safetensors(header: "{ \"caf\\u00e9\\ud83d\\ude00\" : {\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]} }   ", data: [7])
        let file = try SafetensorsFile(path: path)
        #expect(file.keys == ["café😀"])
        #expect(try file.floats("café😀") == [7])
        #expect(try SafetensorsFile(path: TestFiles.safetensors(header: "{}")).keys.isEmpty)
    }
}
