import KLSTensor
import Testing

@testable import KLSLanguage

@Suite struct ParserTests {
    @Test(arguments: [
        ("-2^2", "-4"), ("2^3^2", "512"), ("2^-1", "0.5"), ("1 + 2 * 3", "7"), ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"), ("2 * 3 % 4", "2"), ("not 1 > 2", "true"), ("1 < 2 and 2 < 1 or true", "true"),
        ("2 * [[1, 0], [0, 1]] @ [1, 1]", "[2, 2]"), ("-[1, 2] @ [1, 1]", "-3"), ("(x -> x + 1)(1)", "2"),
        ("((a, b) -> a - b)(5, 3)", "2"), ("[1, 2, 3][1:][0]", "2"), ("1 == 1", "true"),
    ])
    func precedence(_ source: String, _ expected: String) throws {
        #expect(try value(source) == expected)
    }

    @Test(arguments: [
        "(1 +", "f(x) =", "[1,\n2", "{ a = 1", "x = 1 +", "if x > 0 {", "g = (a, b) ->", "print(1,",
        "for i in [1, 2] {\n",
    ])
    func incompleteInputAsksForMore(_ source: String) {
        #expect(Parser.isIncomplete(source))
    }

    @Test(arguments: [
        "1 +\n2", "f(x) = x", "x = [1,\n2]", "{ a = 1 }", "1 2", ")", "x = 3 $", "if x > 0 { 1 } else { 2 }",
    ])
    func completeOrWrongInputDoesNot(_ source: String) {
        #expect(!Parser.isIncomplete(source))
    }

    @Test func semicolonSilences() throws {
        let statements = try Parser.parse("a = 1; a; a")
        #expect(statements.map(\.silent) == [true, true, false])
    }

    @Test func elseMayStartTheNextLineInAScript() throws {
        #expect(try value("x = 5\nif x > 3 {\n  \"big\"\n}\nelse {\n  \"small\"\n}") == "\"big\"")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(failure(deep)?.message.contains("nested too deeply") == true)
        let fine = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(failure(fine) == nil)
    }

    @Test func functionDefinitionsWithDefaults() throws {
        #expect(try value("f(x, y=10) = x + y\nf(1) + f(1, y=1)") == "13")
        #expect(failure("f(x=1, y) = 1") != nil)
    }

    /// Every operator the parser names has a tensor kernel of the same spelling.
    @Test func everyInfixOperatorHasAKernel() {
        for op in InfixOperator.allCases { #expect(BinaryOperator(rawValue: op.rawValue) != nil, "\(op)") }
    }
}
