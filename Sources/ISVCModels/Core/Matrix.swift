/// A batch of rows of features, row-major, as a model server receives it (V1 `instances`, a V2
/// tensor of shape [N, F]). Values are Float64, as numpy hands them to scikit-learn; estimators that
/// work in Float32 (scikit-learn's trees, XGBoost) round them themselves.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "Matrix: \(values.count) values for \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Rows of equal length; throws when they are ragged.
    public init(rows: [[Double]]) throws(ModelError) {
        let columns = rows.first?.count ?? 0
        for (index, row) in rows.enumerated() where row.count != columns {
            throw ModelError.badInput("row \(index) has \(row.count) features, row 0 has \(columns)")
        }
        self.init(rows: rows.count, columns: columns, values: rows.flatMap { $0 })
    }

    @inlinable public subscript(row: Int, column: Int) -> Double {
        values[row * columns + column]
    }

    @inlinable public func row(_ index: Int) -> ArraySlice<Double> {
        values[(index * columns)..<((index + 1) * columns)]
    }
}
