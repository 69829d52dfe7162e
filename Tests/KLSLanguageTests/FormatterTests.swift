import KLSTensor
import Testing

@testable import KLSLanguage

@Suite struct FormatterTests {
    @Test(arguments: [
        (2.0, "2"), (0.5, "0.5"), (1.23456789e-05, "1.23457e-05"), (100000, "100000"), (1e6, "1e+06"),
        (-0.0, "-0"), (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"), (1.0 / 3, "0.333333"),
        (123456.7, "123457"),
    ])
    func numbersAsPercentG(_ x: Double, _ text: String) {
        #expect(Formatter.number(x) == text)
    }

    @Test func precisionChangesDigits() {
        #expect(Formatter.number(1.0 / 3, precision: 3) == "0.333")
        #expect(Formatter.number(1.0 / 3, precision: 12) == "0.333333333333")
    }

    @Test func matricesAlignColumns() throws {
        #expect(try value("[[1.5, -2], [3, 400]]") == "[[1.5,  -2],\n [  3, 400]]")
    }

    @Test func largeTensorsAreSummarised() throws {
        let text = try value("zeros([500, 2]) + 1")
        #expect(text.hasPrefix("Tensor[500, 2]\n[[1, 1],"))
        #expect(text.contains(" ...,\n"))
        #expect(text.split(separator: "\n").count == 8)
        #expect(try !value("zeros(999)").hasPrefix("Tensor"))
    }

    @Test func longRowsWrap() throws {
        let text = try value("arange(40)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func valuesOfEveryKind() throws {
        #expect(try value("[1, \"a\", none, true]") == "[1, \"a\", none, true]")
        #expect(try value("exp") == "<builtin exp(x)>")
        #expect(try value("f(x, y=2) = x\nf") == "<function f(x, y=2)>")
        #expect(try value("x -> x") == "<lambda (x)>")
        #expect(try value("\"quote\\\"d\"") == "\"quote\\\"d\"")
        #expect(try value("[]") == "[]")
    }
}
