import KLSDiagnostics

/// An n-dimensional array of Doubles in row-major order; rank 0 is a scalar.
///
/// Tensors are values: every operation returns a new tensor, and storage is
/// shared only while nobody can observe it (see `TensorStorage`).
///
/// ```swift
/// let x = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
/// let y = try x.map(.exp)
/// ```
public struct Tensor: Sendable {
    /// The extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    /// The contiguous row-major elements.
    public internal(set) var storage: TensorStorage

    /// Number of elements (the product of `shape`).
    @inlinable public var count: Int { storage.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// Wraps existing storage; `storage.count` must equal the product of `shape`.
    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// Adopts storage that the caller filled; its count must match `shape`.
    public init(shape: [Int], adopting storage: TensorStorage) throws(KLSError) {
        guard try Shape.elementCount(shape) == storage.count else {
            throw KLSError("internal: storage of \(storage.count) elements for shape \(Shape.describe(shape))")
        }
        self.init(shape: shape, storage: storage)
    }

    /// A tensor of `shape` with uninitialized elements; `body` must fill all of them.
    ///
    /// `body` is not called when the shape has no elements, so every kernel built
    /// on this initializer costs O(1) on an empty result, however large its other
    /// extents (`stack([zeros([2^40, 0])], axis=1)` loops zero times, not 2^40).
    public init(shape: [Int], fill body: (UnsafeMutableBufferPointer<Double>) throws(KLSError) -> Void) throws(KLSError)
    {
        let count = try Shape.elementCount(shape)
        let storage = try TensorStorage(uninitializedCount: count)
        if count > 0 { try body(storage.buffer) }
        self.init(shape: shape, storage: storage)
    }

    /// A tensor from row-major values; `values.count` must match `shape`.
    public init(shape: [Int], values: [Double]) throws(KLSError) {
        let count = try Shape.elementCount(shape)
        guard count == values.count else {
            throw KLSError("\(values.count) values do not fill a tensor of shape \(Shape.describe(shape))")
        }
        try self.init(shape: shape) { buffer in
            _ = buffer.initialize(from: values)
        }
    }

    /// A rank-0 tensor holding `value`.
    public init(scalar value: Double) {
        let storage = TensorStorage(unchecked: 1)
        storage.pointer.initialize(to: value)
        self.init(shape: [], storage: storage)
    }

    /// A 1-D tensor of `values`.
    public init(_ values: [Double]) throws(KLSError) {
        try self.init(shape: [values.count], values: values)
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Double, shape: [Int]) throws(KLSError) {
        try self.init(shape: shape) { buffer in
            buffer.initialize(repeating: value)
        }
    }

    /// The elements in row-major order.
    public var values: [Double] { Array(storage.buffer) }

    /// The single element of a one-element tensor, else nil.
    public var scalarValue: Double? { count == 1 ? storage.pointer[0] : nil }

    /// Element `i` in row-major order.
    @inlinable public subscript(flat i: Int) -> Double { storage.pointer[i] }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) throws(KLSError) -> Tensor {
        let n = try Shape.elementCount(newShape)
        guard n == count else {
            throw KLSError(TensorMessages.cannotReshape(shape, count: count, into: newShape, elements: n))
        }
        return Tensor(shape: newShape, storage: storage)
    }

    /// Reads the elements through a buffer pointer.
    @inlinable public func withBuffer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Takes the storage when this tensor is its only owner, so a kernel can write
    /// its result in place; otherwise allocates fresh storage of the same size.
    mutating func reusableStorage() throws(KLSError) -> TensorStorage {
        if isKnownUniquelyReferenced(&storage) {
            storage.referenceLine = nil
            return storage
        }
        return try TensorStorage(uninitializedCount: count)
    }
}
