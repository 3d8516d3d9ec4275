using Loom.Core;
using Loom.Models.Layers;
using Loom.Models.Transformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Privacy;

/// <summary>
/// Per-example gradients of one layer's parameters from what the layer saw in a forward pass (its input) and the
/// gradient of the summed loss with respect to its output. Row i of the input and of the output gradient belong to
/// example i, so example i's parameter gradient is the layer's usual gradient formula applied to row i alone.
/// </summary>
internal static class PerSampleLayerRules
{
    /// <summary>Whether per-example gradients of <paramref name="module"/>'s own parameters can be formed.</summary>
    public static bool Supports(nn.Module module) =>
        module is Linear or Conv2d or Conv2dLayer or ConvTranspose2dLayer or Embedding or LayerNorm or GroupNorm or Conv1D or RmsNorm
            or ISharedWeightLayer;

    /// <summary>Each parameter the layer owns (by its name: <c>weight</c>, <c>bias</c>) with its per-example gradients
    /// [B, …parameter shape].</summary>
    public static IEnumerable<(string Name, Tensor Gradients)> Gradients(nn.Module module, Tensor input, Tensor outputGrad) =>
        module switch
        {
            Linear linear => ForLinear(linear.bias is not null, input, outputGrad),
            Conv2d conv => ForConv(conv.weight!, conv.bias is not null, ConvGeometry.Of(conv), input, outputGrad),
            Conv2dLayer conv => ForConv(conv.Weight, conv.Bias is not null, ConvGeometry.Of(conv), input, outputGrad),
            ConvTranspose2dLayer conv => ForConvTranspose(conv, input, outputGrad),
            Embedding embedding => ForEmbedding(embedding, input, outputGrad),
            LayerNorm norm => ForLayerNorm(norm, input, outputGrad),
            GroupNorm norm => ForGroupNorm(norm, input, outputGrad),
            Conv1D conv => ForConv1D(conv.Bias is not null, input, outputGrad),
            RmsNorm norm => ForRmsNorm(norm, input, outputGrad),
            ISharedWeightLayer => ForLinear(false, input, outputGrad),
            _ => throw new LoomUsageException($"no per-example gradient rule for a {module.GetType().Name} layer"),
        };

    /// <summary>Squared norm of each example's gradient over the layer's parameters, [B]. An affine layer (Linear, GPT-2's
    /// Conv1D) takes a shortcut instead of forming the [B, out, in] gradients: ‖g xᵀ‖² = ‖g‖²‖x‖² for one row per example,
    /// and for a sequence of T rows the Gram form Σ_ts (g_t·g_s)(x_t·x_s) when T² is below out·in.</summary>
    public static Tensor SquaredNorms(nn.Module module, Tensor input, Tensor outputGrad)
    {
        if (AffineBias(module) is { } hasBias)
        {
            long n = input.shape[0], inputs = input.shape[^1], outputs = outputGrad.shape[^1];
            var x = input.reshape(n, -1, inputs);
            var g = outputGrad.reshape(n, -1, outputs);
            long t = x.shape[1];
            if (t == 1 || t * t < inputs * outputs)
            {
                var norms = t == 1
                    ? g.pow(2).sum([1, 2]) * x.pow(2).sum([1, 2])
                    : (g.bmm(g.transpose(1, 2)) * x.bmm(x.transpose(1, 2))).sum([1, 2]);
                return hasBias ? norms + g.sum(1).pow(2).sum(1) : norms;
            }
        }
        return SquaredNorms(Gradients(module, input, outputGrad).Select(p => p.Gradients));
    }

    /// <summary>Squared norm of each example's gradient over several per-example gradient tensors [B, …], [B].</summary>
    public static Tensor SquaredNorms(IEnumerable<Tensor> perExample) =>
        perExample.Select(t => t.reshape(t.shape[0], -1).pow(2).sum(1)).Aggregate((a, b) => a + b);

    /// <summary>Σ_i w_i · (example i's gradient) for each of the layer's parameters. Every rule is linear in the output
    /// gradient, so this is the batch gradient of the reweighted output gradient; a linear layer never forms per-example
    /// gradients for it.</summary>
    public static IEnumerable<(string Name, Tensor Sum)> WeightedSum(nn.Module module, Tensor input, Tensor outputGrad,
        Tensor weights)
    {
        var shape = new long[outputGrad.dim()];
        Array.Fill(shape, 1L);
        shape[0] = weights.shape[0];
        var weighted = outputGrad * weights.reshape(shape).to(outputGrad.dtype);
        if (AffineBias(module) is { } bias)
        {
            var x = input.reshape(-1, input.shape[^1]);
            var g = weighted.reshape(-1, weighted.shape[^1]);
            yield return ("weight", module is Conv1D ? x.t().matmul(g) : g.t().matmul(x));
            if (bias) yield return ("bias", g.sum(0L));
            yield break;
        }
        foreach (var (name, perExample) in Gradients(module, input, weighted))
            yield return (name, perExample.sum(0L));
    }

    /// <summary>For an affine layer (Linear, GPT-2's Conv1D, a tied head): whether it has a bias; null for other layers.</summary>
    private static bool? AffineBias(nn.Module module) => module switch
    {
        Linear linear => linear.bias is not null,
        Conv1D conv => conv.Bias is not null,
        ISharedWeightLayer => false,
        _ => null,
    };

    private static IEnumerable<(string, Tensor)> ForLinear(bool bias, Tensor input, Tensor outputGrad)
    {
        long n = input.shape[0];
        var x = input.reshape(n, -1, input.shape[^1]);          // [B, T, in]
        var g = outputGrad.reshape(n, -1, outputGrad.shape[^1]); // [B, T, out]
        yield return ("weight", g.transpose(1, 2).bmm(x));
        if (bias) yield return ("bias", g.sum(1));
    }

    // GPT-2's Conv1D stores its weight [in, out], the transpose of Linear's.
    private static IEnumerable<(string, Tensor)> ForConv1D(bool bias, Tensor input, Tensor outputGrad)
    {
        long n = input.shape[0];
        var x = input.reshape(n, -1, input.shape[^1]);          // [B, T, in]
        var g = outputGrad.reshape(n, -1, outputGrad.shape[^1]); // [B, T, out]
        yield return ("weight", x.transpose(1, 2).bmm(g));
        if (bias) yield return ("bias", g.sum(1));
    }

    private static IEnumerable<(string, Tensor)> ForRmsNorm(RmsNorm norm, Tensor input, Tensor outputGrad)
    {
        long n = input.shape[0];
        var product = outputGrad * norm.Normalized(input).to(outputGrad.dtype);
        yield return ("weight", product.reshape(n, -1, product.shape[^1]).sum(1));
    }

    private static IEnumerable<(string, Tensor)> ForConv(Tensor weight, bool bias, ConvGeometry geometry, Tensor input,
        Tensor outputGrad)
    {
        long n = input.shape[0], outChannels = weight.shape[0], groups = geometry.Groups;
        var x = input;
        var padding = geometry.Padding;
        if (geometry.PaddingMode != PaddingModes.Zeros)
        {
            x = nn.functional.pad(x, [padding.W, padding.W, padding.H, padding.H], geometry.PaddingMode);
            padding = (0, 0);
        }
        var columns = nn.functional.unfold(x, (weight.shape[2], weight.shape[3]), geometry.Dilation, padding, geometry.Stride);
        var g = outputGrad.reshape(n, groups, outChannels / groups, -1);            // [B, groups, out/g, L]
        var c = columns.reshape(n, groups, columns.shape[1] / groups, -1);          // [B, groups, in/g·kh·kw, L]
        var perWeight = torch.einsum("bgol,bgil->bgoi", g, c).reshape(n, weight.shape[0], weight.shape[1], weight.shape[2],
            weight.shape[3]);
        yield return ("weight", perWeight);
        if (bias) yield return ("bias", outputGrad.sum([2, 3]));
    }

    /// <summary>
    /// A transposed convolution adds x[i, p]·W[i, o, k] to output position p·stride − padding + k, so the weight's gradient
    /// pairs each input position p with the output gradient's k×k patch at p·stride − padding: the output gradient
    /// unfolded with the layer's kernel, stride and padding has one column per input position.
    /// </summary>
    private static IEnumerable<(string, Tensor)> ForConvTranspose(ConvTranspose2dLayer conv, Tensor input, Tensor outputGrad)
    {
        var weight = conv.Weight;                                                   // [in, out, kh, kw]
        long n = input.shape[0], positions = input.shape[2] * input.shape[3];
        var patches = nn.functional.unfold(outputGrad, (weight.shape[2], weight.shape[3]), (1, 1),
            (conv.Padding[0], conv.Padding[1]), (conv.Stride[0], conv.Stride[1]));   // [B, out·kh·kw, L]
        if (patches.shape[2] != positions)
            throw new LoomUsageException($"per-example gradients of a transposed convolution need output padding below the stride; "
                + $"got {patches.shape[2]} patches for {positions} input positions");
        var perWeight = torch.einsum("bil,bol->bio", input.reshape(n, weight.shape[0], positions), patches)
            .reshape(n, weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3]);
        yield return ("weight", perWeight);
        if (conv.Bias is not null) yield return ("bias", outputGrad.sum([2, 3]));
    }

    // TorchSharp does not expose an embedding's padding index, so a padding row gets the gradient of its uses, as without one.
    private static IEnumerable<(string, Tensor)> ForEmbedding(Embedding embedding, Tensor input, Tensor outputGrad)
    {
        long n = input.shape[0], vocabulary = embedding.weight!.shape[0];
        var ids = input.reshape(n, -1);                                             // [B, T]
        var g = outputGrad.reshape(n, -1, outputGrad.shape[^1]);                    // [B, T, D]
        var oneHot = nn.functional.one_hot(ids, vocabulary).to(g.dtype);            // [B, T, V]
        var perWeight = oneHot.transpose(1, 2).bmm(g);                              // [B, V, D]
        yield return ("weight", perWeight);
    }

    private static IEnumerable<(string, Tensor)> ForLayerNorm(LayerNorm norm, Tensor input, Tensor outputGrad)
    {
        var shape = norm.normalized_shape;
        var normalized = nn.functional.layer_norm(input, shape, null, null, norm.eps);
        var over = Enumerable.Range(1, (int)input.dim() - 1 - shape.Length).Select(d => (long)d).ToArray();
        Tensor SumOver(Tensor t) => over.Length == 0 ? t : t.sum(over);
        if (norm.weight is not null) yield return ("weight", SumOver(outputGrad * normalized));
        if (norm.bias is not null) yield return ("bias", SumOver(outputGrad));
    }

    private static IEnumerable<(string, Tensor)> ForGroupNorm(GroupNorm norm, Tensor input, Tensor outputGrad)
    {
        var normalized = nn.functional.group_norm(input, norm.num_groups, null, null, norm.eps);
        var spatial = Enumerable.Range(2, (int)input.dim() - 2).Select(d => (long)d).ToArray();
        Tensor SumOver(Tensor t) => spatial.Length == 0 ? t : t.sum(spatial);
        if (norm.weight is not null) yield return ("weight", SumOver(outputGrad * normalized));
        if (norm.bias is not null) yield return ("bias", SumOver(outputGrad));
    }

    /// <summary>How a 2-D convolution walks its input.</summary>
    private sealed record ConvGeometry((long H, long W) Stride, (long H, long W) Padding, (long H, long W) Dilation, long Groups,
        PaddingModes PaddingMode)
    {
        public static ConvGeometry Of(Conv2d conv) => new(Pair(conv.stride), Pair(conv.padding), Pair(conv.dilation), conv.groups,
            conv.padding_mode);

        public static ConvGeometry Of(Conv2dLayer conv) =>
            new((conv.Stride[0], conv.Stride[1]), (conv.Padding[0], conv.Padding[1]), (1, 1), 1, conv.PaddingMode);

        private static (long, long) Pair(long[]? values) => values switch
        {
            null or [] => throw new LoomUsageException("per-example gradients need a Conv2d with numeric padding, not 'same'"),
            [var v] => (v, v),
            [var h, var w, ..] => (h, w),
        };
    }
}
