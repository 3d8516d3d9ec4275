using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Applies processors in the order they were added; the output of one is the input of the next.
/// An empty chain returns a copy of the scores. Supports collection initialisers: <c>new LogitsProcessorChain { a, b }</c>.
/// </summary>
public sealed class LogitsProcessorChain : ILogitsProcessor, IEnumerable<ILogitsProcessor>
{
    private readonly List<ILogitsProcessor> _processors = [];

    public LogitsProcessorChain() { }

    public LogitsProcessorChain(IEnumerable<ILogitsProcessor> processors)
    {
        foreach (var p in processors)
            Add(p);
    }

    /// <summary>The processors, in application order.</summary>
    public IReadOnlyList<ILogitsProcessor> Processors => _processors;

    public int Count => _processors.Count;

    /// <summary>Appends a processor (built-in or user-written); returns this chain.</summary>
    public LogitsProcessorChain Add(ILogitsProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(processor);
        _processors.Add(processor);
        return this;
    }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        var current = scores.clone();
        foreach (var p in _processors)
            current = p.Process(inputIds, current);
        return current.MoveToOuterDisposeScope();
    }

    public IEnumerator<ILogitsProcessor> GetEnumerator() => _processors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
