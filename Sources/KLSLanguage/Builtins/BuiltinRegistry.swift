/// Every builtin, in one table. The interpreter resolves names here, `help` and
/// `:help` print from it, and tab completion lists it: nothing is listed twice.
public enum BuiltinRegistry {
    /// All builtins, grouped by theme in declaration order.
    public static let all: [Builtin] =
        TensorBuiltins.all + ElementwiseBuiltins.all + ReductionBuiltins.all + LinearAlgebraBuiltins.all
        + RandomBuiltins.all
        + DistributionBuiltins.all + JointBuiltins.all + SamplingBuiltins.all + KLBuiltins.all + DivergenceBuiltins.all
        + MixtureBuiltins.all + FitBuiltins.all + SampleBuiltins.all + DecompositionBuiltins.all
        + PlotBuiltins.all + InteractBuiltins.all
        + FileBuiltins.all + GradientBuiltins.all
        + CoreBuiltins.all

    /// Named numbers, read like variables (a user's assignment shadows them).
    public static let constants: [(name: String, value: Double, summary: String)] = [
        ("pi", Double.pi, "π = 3.14159…, the ratio of a circle's circumference to its diameter."),
        ("inf", Double.infinity, "Positive infinity (-inf for negative), as NumPy's np.inf."),
        ("nan", Double.nan, "Not a number, as NumPy's np.nan: the result of 0/0; nan != nan."),
    ]

    private static let table: [String: Builtin] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    private static let values: [String: Value] = table.mapValues { .function(Function(.builtin($0))) }.merging(
        constants.map { ($0.name, .number($0.value)) }, uniquingKeysWith: { first, _ in first })

    /// The builtin called `name`.
    public static func builtin(_ name: String) -> Builtin? { table[name] }

    /// The builtin as a callable value, or the constant's number.
    public static func value(_ name: String) -> Value? { values[name] }

    /// Every builtin and constant name, sorted.
    public static var names: [String] { (table.keys + constants.map(\.name)).sorted() }
}
