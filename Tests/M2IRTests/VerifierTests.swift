import M2IR
import Testing

@Suite struct VerifierTests {
    func graph(_ body: String) throws -> Graph {
        try IRParser.parse("graph @g {\n\(body)\n}")
    }

    func messages(_ g: Graph) -> [String] { Verifier.verify(g).map(\.message) }

    @Test func wellTypedGraphsPass() throws {
        #expect(Verifier.verify(try everyOpGraph()).isEmpty)
    }

    @Test func useBeforeDefinition() throws {
        var g = try graph("""
              %0 = input "x" : f32[B,2]
              %1 = exp %0 : f32[B,2]
              %2 = neg %1 : f32[B,2]
            """)
        g.ops.swapAt(1, 2)
        let errors = Verifier.verify(g)
        #expect(errors.count == 1)
        #expect(errors.first?.opIndex == 1)
        #expect(errors.first?.message == "operand 0 (%2) is used before it is defined")
        #expect(errors.first?.op == "%1 = neg %2 : f32[B,2]")
    }

    @Test func operandDefinedNowhere() throws {
        var g = try graph("  %0 = input \"x\" : f32[B,2]\n  %1 = exp %0 : f32[B,2]")
        g.ops[1].operands = [ValueID(99)]
        #expect(messages(g) == ["operand 0 (%99) is not defined by any op"])
        #expect(Verifier.verify(g).first?.op == "%1 = exp %?99 : f32[B,2]")
    }

    @Test func duplicateAndOutOfRangeResults() throws {
        var g = try graph("  %0 = input \"x\" : f32[B,2]\n  %1 = exp %0 : f32[B,2]\n  %2 = neg %0 : f32[B,2]")
        g.ops[2].result = g.ops[1].result
        #expect(messages(g) == ["result %1 is already defined by an earlier op"])
        g.ops[2].result = ValueID(g.nextValue)
        #expect(messages(g) == ["result %3 is outside the graph's value range 0..<3"])
    }

    @Test func typeMustMatchTheShapeRules() throws {
        let g = try graph("""
              %0 = input "x" : f32[B,4,2]
              %1 = transpose %0 {perm = [1,0]} : f32[B,4,2]
              %2 = reduce_sum %0 {axis = 2} : f32[B,4]
              %3 = reshape %0 : f32[B,9]
              %4 = weight "w" : f32[B,3]
              %5 = const dense<[1.0, 2.0]> : f32[3]
            """)
        let errors = Verifier.verify(g)
        #expect(errors.map(\.opIndex) == [1, 2, 3, 4, 5])
        #expect(errors[0].message == "result type is f32[B,4,2] but transpose of these operands gives f32[B,2,4]")
        #expect(errors[1].message.contains("axis 2 out of range"))
        #expect(errors[2].message.contains("cannot reshape"))
        #expect(errors[3].message.contains("must not depend on the batch"))
        #expect(errors[4].message == "const has 2 values but type f32[3] holds 3")
    }

    @Test func outputsMustBeDefinedAndUniquelyNamed() throws {
        var g = try graph("""
              %0 = input "x" : f32[B,2]
              output "y" = %0
              probe "y" = %0
            """)
        g.outputs.append(GraphOutput(name: "z", value: ValueID(42)))
        let errors = Verifier.verify(g)
        #expect(errors.map(\.message) == ["output name \"y\" is used twice", "output value %42 is not defined by any op"])
        #expect(errors.allSatisfy { $0.opIndex == nil })
        #expect(errors[0].op == "probe \"y\" = %0")
    }

    @Test func weightKeysAndInputNamesAreUnique() throws {
        let g = try graph("""
              %0 = input "x" : f32[B,2]
              %1 = input "x" : f32[B,2]
              %2 = weight "w" : f32[2]
              %3 = weight "w" : f32[2]
            """)
        #expect(messages(g) == ["input \"x\" is already declared by op 0", "weight \"w\" is already loaded by op 2"])
    }

    @Test func probesAreAllowed() throws {
        let g = try graph("  %0 = input \"x\" : f32[B,2]\n  %1 = exp %0 : f32[B,2]\n  probe \"p\" = %1\n  output \"y\" = %0")
        #expect(Verifier.verify(g).isEmpty)
    }

    /// Every op's result type is held to TensorType.maxElements when it is built, and a reshape whose target's
    /// product overflows Int is a ShapeError, not a trap.
    @Test func oversizedAndOverflowingShapesAreShapeErrors() throws {
        var b = GraphBuilder(name: "sizes")
        #expect(throws: ShapeError.self) { _ = try b.weight("huge", shape: [1 << 16, 1 << 16]) }
        do { _ = try b.weight("huge", shape: [1 << 16, 1 << 16]) } catch {
            #expect(error.message == "weight 'huge': f32[65536,65536] has 4294967296 elements (16.0 GiB); "
                + "m2c's limit is 2147483647 elements per tensor", "\(error)")
        }
        let limit = try b.weight("at_limit", shape: [Int(Int32.max)])   // 2^31 − 1 elements (a prime): allowed
        #expect(b.type(of: limit).elementCount == TensorType.maxElements)
        let x = try b.input("x", type: .f32([4], batched: true))
        do { _ = try b.add(.reshape, [x], reshapeTo: [1 << 62, 1 << 62, 0]) } catch {
            #expect(error.message.contains("reshape: cannot reshape f32[B,4]"), "\(error)")
        }
        #expect(TensorType.checkedProduct([1 << 62, 4]) == nil && TensorType.checkedProduct([3, -1]) == nil)
        #expect(TensorType.f32([1 << 40, 1 << 40]).sizeLimitViolation?.contains("more elements than an Int can count") == true)
    }
}
