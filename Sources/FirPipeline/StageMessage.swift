/// What flows between two stages of either pipeline: a block, or the end of the stream (normal, or
/// after a failure upstream). Generic over the block type: the batch job's ``AudioBlock``, the stream's
/// ``StreamBlock``.
enum StageMessage<Block: Sendable>: Sendable {
    case block(Block)
    case end
}
