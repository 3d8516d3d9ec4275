namespace Loom.Models.Language;

/// <summary>
/// A decoding state that can forget its newest tokens: speculative decoding feeds drafted tokens that the target may
/// reject, then rolls the state back to the last accepted one. A KV cache rewinds by lowering its length (the slots past it
/// are overwritten by the next forward pass); a recurrent hidden state cannot be rewound.
/// </summary>
public interface IRewindableDecoderState : IDecoderState
{
    /// <summary>Keeps the first <paramref name="length"/> tokens (0..<see cref="IDecoderState.Length"/>) and forgets the rest.</summary>
    void Rewind(int length);
}
