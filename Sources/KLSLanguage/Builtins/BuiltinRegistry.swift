/// Every builtin, in one table. The interpreter resolves names here, `help` and
/// `:help` print from it, and tab completion lists it: nothing is listed twice.
public enum BuiltinRegistry {
    /// All builtins, grouped by theme in declaration order.
    public static let all: [Builtin] =
        TensorBuiltins.all + ElementwiseBuiltins.all + ReductionBuiltins.all + RandomBuiltins.all
        + DistributionBuiltins.all + JointBuiltins.all + SamplingBuiltins.all + KLBuiltins.all + PlotBuiltins.all
        + FileBuiltins.all
        + CoreBuiltins.all

    private static let table: [String: Builtin] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    private static let values: [String: Value] = table.mapValues { .function(Function(.builtin($0))) }

    /// The builtin called `name`.
    public static func builtin(_ name: String) -> Builtin? { table[name] }

    /// The builtin as a callable value.
    public static func value(_ name: String) -> Value? { values[name] }

    /// Every builtin name, sorted.
    public static var names: [String] { table.keys.sorted() }
}
