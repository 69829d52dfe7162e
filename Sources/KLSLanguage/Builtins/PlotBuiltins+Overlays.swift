import KLSDiagnostics
import KLSPlot
import KLSTensor

/// What plot draws over its series — marks, points with error bars, a rug —
/// and `contour`, the level curves of fields on a grid.
extension PlotBuiltins {
    /// The parameters, declared once for plot.
    static let overlayParameters: [Parameter] = [
        .optional("marks").meaning(
            "vertical dashed lines: a record name=x (labelled), or a vector of x values (an optimum, a mean)"),
        .optional("points").meaning(
            "points with error bars: rows [x, y] or [x, y, err] (drawn y ± err), point k in series k's colour"),
        .optional("rug").meaning("x values ticked under the axis (draws, importance-weight positions)"),
        .optional("rug_sign").meaning("one number per rug tick: its sign picks the tick's colour (+ or −)"),
        .optional("rug_label").meaning("what the rug's + and − mean, shown under the plot"),
        .optional("height").meaning("rows of a text plot's area, 5 to 100 (default 14); an SVG keeps its size"),
    ]

    static func overlays(_ a: Arguments, _ data: inout PlotData) throws(KLSError) {
        if !a.isNone("height") {
            let rows = try a.integer("height", atLeast: 5)
            guard rows <= 100 else { throw KLSError("\(a.function): height must be at most 100, got \(rows)") }
            data.textRows = rows
        }
        if !a.isNone("marks") { data.marks = try marks(a["marks"]) }
        if !a.isNone("points") {
            let points = try a.tensor("points")
            guard points.rank == 2, points.shape[1] == 2 || points.shape[1] == 3 else {
                throw KLSError(
                    "plot: points must have rows [x, y] or [x, y, err], got shape \(Shape.describe(points.shape))")
            }
            let width = points.shape[1]
            data.points = (0..<points.shape[0]).map { k in
                (points[flat: k * width], points[flat: k * width + 1], width == 3 ? points[flat: k * width + 2] : 0)
            }
        }
        guard !a.isNone("rug") else { return }
        let xs = try a.tensor("rug").values
        var positive = [Bool](repeating: true, count: xs.count)
        if !a.isNone("rug_sign") {
            let signs = try a.tensor("rug_sign").values
            guard signs.count == xs.count else {
                throw KLSError("plot: rug_sign has \(signs.count) values for \(xs.count) rug ticks")
            }
            positive = signs.map { $0 >= 0 }
            data.rugLabel = "rug: + where rug_sign ≥ 0, − where it is negative"
        }
        data.rug = (xs, positive)
        if !a.isNone("rug_label") { data.rugLabel = try a.string("rug_label") }
    }

    /// marks={forward: 0.1, reverse: 2.9} or marks=[0.1, 2.9].
    static func marks(_ value: Value) throws(KLSError) -> [(x: Double, label: String)] {
        if case .record(let r) = value {
            var marks: [(x: Double, label: String)] = []
            for (name, item) in zip(r.names, r.values) {
                marks.append((try item.asNumber("plot: marks.\(name)"), name))
            }
            return marks
        }
        let xs = try value.asTensor("plot: marks").values
        return xs.enumerated().map { ($1, "mark \($0 + 1)") }
    }

    static let contourBuiltin = Builtin(
        "contour",
        [
            .required("z").meaning(
                "a matrix of values on the grid (row i at y[i], column j at x[j]), or several: [zp, zq]"),
            .optional("x").meaning("the grid's x values (default 1…columns)"),
            .optional("y").meaning("the grid's y values (default 1…rows)"),
            .optional("levels", .number(6)).meaning(
                "how many level curves per field, evenly spaced between its extremes"),
            .optional("labels").meaning("a list of names, one per field, for the legend"),
            .optional("file"), .optional("title"), .optional("xlabel"), .optional("ylabel"),
        ] + overlayParameters,
        theme: .plots,
        summary: "Level curves of one field or several (a list, each in its colour) on a grid: p and q in 2-d.",
        example: "g = linspace(-3, 3, 41); contour(exp(-(g^2 + reshape(g, [41, 1])^2) / 2), x=g, y=g, levels=4)",
        details: [
            "z[i, j] is the value at (x[j], y[i]): build it by broadcasting a column of y against a row of x,",
            "or as pdf(d, points) reshaped to [len(y), len(x)]. Levels are evenly spaced strictly between",
            "each field's smallest and largest value (marching squares; a saddle cell is joined by its mean).",
        ]
    ) { a, session throws(KLSError) in
        try contour(a, session)
    }

    static func contour(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        var fields: [Tensor] = []
        if case .list(let items) = a["z"] {
            for (i, item) in items.items.enumerated() { fields.append(try item.asTensor("contour: field \(i)")) }
        } else {
            // [zp, zq] of two matrices is one tensor of rank 3: a field per first index.
            let z = try a.tensor("z")
            if z.rank == 3, z.shape[0] > 0 {
                let size = z.shape[1] * z.shape[2]
                for k in 0..<z.shape[0] {
                    fields.append(
                        try Tensor(shape: Array(z.shape.dropFirst()), values: (0..<size).map { z[flat: k * size + $0] })
                    )
                }
            } else {
                fields.append(z)
            }
        }
        guard let first = fields.first, first.rank == 2, first.shape[0] >= 2, first.shape[1] >= 2 else {
            throw KLSError("contour: z must be a matrix of at least 2 × 2 values (or a list of them)")
        }
        let (rows, columns) = (first.shape[0], first.shape[1])
        guard fields.count <= 16, fields.allSatisfy({ $0.shape == first.shape }) else {
            throw KLSError("contour: the fields must share one shape (at most 16 of them)")
        }
        let xs = a.isNone("x") ? (1...columns).map(Double.init) : try a.tensor("x").values
        let ys = a.isNone("y") ? (1...rows).map(Double.init) : try a.tensor("y").values
        guard xs.count == columns, ys.count == rows else {
            throw KLSError(
                "contour: z has shape \(Shape.describe(first.shape)) but x has \(xs.count) values and y \(ys.count) "
                    + "(z[i, j] is the value at x[j], y[i])")
        }
        let count = try a.integer("levels", atLeast: 1)
        guard count <= 50 else { throw KLSError("contour: levels must be at most 50, got \(count)") }
        var data = PlotData()
        for field in fields {
            let grid = (0..<rows).map { r in (0..<columns).map { field[flat: r * columns + $0] } }
            data.lines.append(Contours.lines(z: grid, x: xs, y: ys, levels: Contours.levels(grid, count: count)))
        }
        data.xLimits = (xs.min() ?? 0, xs.max() ?? 1)
        try overlays(a, &data)
        data.title = try title(a)
        try labels(a, fields.count, &data)
        try axisLabels(a, &data)
        return try draw(data, a, session)
    }
}
