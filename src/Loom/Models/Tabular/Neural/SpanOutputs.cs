using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>What CTGAN and TVAE do with a network's raw outputs span by span (<see cref="TableTransformer.Spans"/>).</summary>
public static class SpanOutputs
{
    /// <summary>
    /// tanh on value spans; on one-hot spans a Gumbel-softmax with temperature <paramref name="tau"/> (CTGAN's generator output,
    /// differentiable), or a plain softmax when <paramref name="tau"/> is null.
    /// </summary>
    public static Tensor Activate(Tensor raw, IReadOnlyList<OutputSpan> spans, double? tau, Generator? generator = null)
    {
        var parts = new List<Tensor>();
        foreach (var span in spans)
        {
            var slice = raw.narrow(1, span.Start, span.Width);
            if (span.Activation == SpanActivation.Tanh) { parts.Add(slice.tanh()); continue; }
            if (tau is not { } t) { parts.Add(slice.softmax(1)); continue; }
            var u = torch.rand(slice.shape, slice.dtype, slice.device, generator: generator).clamp(1e-10, 1 - 1e-10);
            parts.Add(((slice - (-u.log()).log()) / t).softmax(1));
        }
        return torch.cat(parts, 1);
    }

    /// <summary>
    /// Each row's one-hot spans as draws from their softmax (a Gumbel-max per span) or, where <paramref name="choices"/> says
    /// so, as their highest-scoring entry; value spans as tanh. The random stream is the same either way.
    /// </summary>
    public static Tensor Draw(Tensor raw, IReadOnlyList<OutputSpan> spans, Generator generator, SpanChoices? choices = null)
    {
        var parts = new List<Tensor>();
        foreach (var span in spans)
        {
            var slice = raw.narrow(1, span.Start, span.Width);
            if (span.Activation == SpanActivation.Tanh) { parts.Add(slice.tanh()); continue; }
            var u = torch.rand(slice.shape, slice.dtype, slice.device, generator: generator).clamp(1e-10, 1 - 1e-10);
            var entry = choices?.TakesMostLikely(span) == true ? slice.argmax(1) : (slice - (-u.log()).log()).argmax(1);
            parts.Add(nn.functional.one_hot(entry, span.Width).to(slice.dtype));
        }
        return torch.cat(parts, 1);
    }

    /// <summary>
    /// The sum over rows and one-hot spans of the cross-entropy of <paramref name="raw"/> against the one-hots of
    /// <paramref name="target"/>.
    /// </summary>
    public static Tensor CrossEntropySum(Tensor raw, Tensor target, IEnumerable<OutputSpan> spans)
    {
        Tensor total = torch.zeros([], raw.dtype, raw.device);
        foreach (var span in spans.Where(s => s.Activation == SpanActivation.Softmax))
            total = total + nn.functional.cross_entropy(raw.narrow(1, span.Start, span.Width),
                target.narrow(1, span.Start, span.Width).argmax(1), reduction: nn.Reduction.Sum);
        return total;
    }

    /// <summary>Transformed rows on the CPU as a flat float array (what <see cref="TableTransformer.Decode"/> reads).</summary>
    public static float[] Flat(Tensor rows) => rows.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
}
