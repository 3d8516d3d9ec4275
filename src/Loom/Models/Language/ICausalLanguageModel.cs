using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>
/// A next-token model the decoding engine can drive: transformers (with a KV cache) and recurrent networks (with their
/// hidden state) implement it, so greedy, sampling and beam search are written once.
/// </summary>
public interface ICausalLanguageModel
{
    int VocabSize { get; }

    /// <summary>Longest sequence the model can condition on (int.MaxValue for recurrent models).</summary>
    int MaxSequenceLength { get; }

    /// <summary>An empty decoding state for <paramref name="batch"/> rows that can hold <paramref name="capacity"/> tokens.</summary>
    IDecoderState CreateState(int batch, int capacity);

    /// <summary>
    /// Next-token logits [B, T, V] (float32) after each of the <paramref name="tokens"/> [B, T] (int64).
    /// <paramref name="attentionMask"/> [B, past + T] marks real tokens with 1 and left padding with 0 (null: all real).
    /// With a <paramref name="state"/>, the tokens continue what the state holds and are appended to it.
    /// </summary>
    Tensor Forward(Tensor tokens, Tensor? attentionMask = null, IDecoderState? state = null);
}

/// <summary>What a model remembers between decoding steps (a KV cache, a recurrent hidden state).</summary>
public interface IDecoderState : IDisposable
{
    /// <summary>Tokens consumed so far (padding included).</summary>
    int Length { get; }

    /// <summary>Keeps rows <paramref name="rows"/> [N] (int64) in that order, e.g. to follow surviving beams.</summary>
    void Reorder(Tensor rows);
}
