import Testing

/// The matcher must be able to fail, or golden tests prove nothing.
@Suite struct FileCheckTests {
    let output = "graph @g {\n  %0 = input\n  %1 = exp %0\n  %2 = neg %1\n  output \"y\" = %2\n}\n"

    func failures(_ checks: String) -> [String] { FileCheck(directivesIn: checks).match(output) }

    @Test func orderedChecksPass() {
        #expect(failures("# CHECK: graph @g\n# CHECK: exp\n# CHECK-NEXT: neg\n# CHECK-NOT: scale\n# CHECK: output") == [])
    }

    @Test func checkIsOrdered() {
        #expect(failures("# CHECK: neg\n# CHECK: exp").count == 1)
    }

    @Test func checkNextMustBeTheFollowingLine() {
        let f = failures("# CHECK: input\n# CHECK-NEXT: neg")
        #expect(f == ["line 2: CHECK-NEXT: 'neg' not on output line 3, which is:   %1 = exp %0"])
    }

    @Test func checkNotOnlyLooksBetweenMatches() {
        #expect(failures("# CHECK: exp\n# CHECK-NOT: input\n# CHECK: output") == [])
        #expect(failures("# CHECK: input\n# CHECK-NOT: neg\n# CHECK: output").first?.contains("found on output line 4") == true)
        #expect(failures("# CHECK: neg\n# CHECK-NOT: }").count == 1)
    }

    @Test func labelsConfineTheirBlock() {
        let text = "a1\nx\nb1\nfoo\n"
        // Without labels `CHECK: foo` after a1 would succeed by reaching into b1's block.
        #expect(FileCheck(directivesIn: "CHECK-LABEL: a1\nCHECK: foo\nCHECK-LABEL: b1").match(text).count == 1)
        #expect(FileCheck(directivesIn: "CHECK-LABEL: a1\nCHECK: x\nCHECK-LABEL: b1\nCHECK-NEXT: foo").match(text) == [])
        #expect(FileCheck(directivesIn: "CHECK-LABEL: zz").match(text).count == 1)
    }
}
