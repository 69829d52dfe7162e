import KLSTensor

/// A probability distribution over tensors, with PyTorch's shape conventions: a
/// draw has shape `sampleShape + batchShape + eventShape`.
///
/// The families, their samplers and the KL registry arrive with the
/// distributions issue; the language layer already stores values of this type.
public protocol Distribution: AnyObject, Sendable {
    /// The family name as the user writes it, e.g. `Normal`.
    var family: String { get }
    /// Shape of a batch of independent distributions.
    var batchShape: [Int] { get }
    /// Shape of one draw.
    var eventShape: [Int] { get }
}
