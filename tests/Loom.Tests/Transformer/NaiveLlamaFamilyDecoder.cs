using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// A deliberately plain Llama-family forward pass for one sequence, in float64, written from the HF modeling files'
/// description and not from Loom's modules: it reads the weights by HF key, loops over heads, builds the rotary
/// angles, the causal (and sliding-window) mask and the softmax by hand. Tests compare the production model to it.
/// Supports plain or linearly scaled RoPE only (the scaled frequencies have their own tests).
/// </summary>
internal static class NaiveLlamaFamilyDecoder
{
    public static double[,] Logits(TransformerConfig c, IReadOnlyDictionary<string, Tensor> weights, long[] tokens)
    {
        using var scope = torch.NewDisposeScope();
        Tensor W(string key) => weights[key].detach().to(ScalarType.Float64);
        Tensor Linear(Tensor x, string name)
        {
            var y = x.matmul(W(name + ".weight").t());
            return weights.ContainsKey(name + ".bias") ? y + W(name + ".bias") : y;
        }
        int n = tokens.Length, hd = c.HeadDim, groups = c.Heads / c.KvHeads;
        var x = W("model.embed_tokens.weight").index_select(0, torch.tensor(tokens));   // [n, C]
        if (c.ScaleEmbeddings)
            x = x * (double)(float)Math.Sqrt(c.Width);   // HF rounds √hidden to the model dtype (float32 here)
        var (cos, sin) = Angles(c, n);
        for (int layer = 0; layer < c.Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            var h = Norm(c, x, W(p + "input_layernorm.weight"));
            Tensor q, k, v;
            if (c.FusedProjections)
            {
                var qkv = Linear(h, p + "self_attn.qkv_proj");
                q = qkv[.., ..(c.Heads * hd)];
                k = qkv[.., (c.Heads * hd)..((c.Heads + c.KvHeads) * hd)];
                v = qkv[.., ((c.Heads + c.KvHeads) * hd)..];
            }
            else
                (q, k, v) = (Linear(h, p + "self_attn.q_proj"), Linear(h, p + "self_attn.k_proj"), Linear(h, p + "self_attn.v_proj"));
            var heads = new List<Tensor>();
            for (int head = 0; head < c.Heads; head++)
            {
                int kvHead = head / groups;
                var qh = q[.., (head * hd)..((head + 1) * hd)];
                var kh = k[.., (kvHead * hd)..((kvHead + 1) * hd)];
                var vh = v[.., (kvHead * hd)..((kvHead + 1) * hd)];
                if (c.QkNorm)
                {
                    qh = Norm(c, qh, W(p + "self_attn.q_norm.weight"));
                    kh = Norm(c, kh, W(p + "self_attn.k_norm.weight"));
                }
                qh = Rotate(qh, cos, sin);
                kh = Rotate(kh, cos, sin);
                var scores = qh.matmul(kh.t()) / Math.Sqrt(hd);
                var allowed = new bool[n, n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        allowed[i, j] = j <= i && (c.SlidingWindow == 0 || i - j < c.SlidingWindow);
                var masked = torch.where(torch.tensor(allowed), scores, torch.tensor(double.NegativeInfinity, ScalarType.Float64));
                var exp = (masked - masked.max(1, keepdim: true).values).exp();
                heads.Add((exp / exp.sum(1, keepdim: true)).matmul(vh));
            }
            x = x + Linear(torch.cat(heads, 1), p + "self_attn.o_proj");
            h = Norm(c, x, W(p + "post_attention_layernorm.weight"));
            Tensor gate, up;
            if (c.FusedProjections)
            {
                var both = Linear(h, p + "mlp.gate_up_proj");
                (gate, up) = (both[.., ..c.MlpWidth], both[.., c.MlpWidth..]);
            }
            else
                (gate, up) = (Linear(h, p + "mlp.gate_proj"), Linear(h, p + "mlp.up_proj"));
            x = x + Linear(Activate(c.MlpActivation, gate) * up, p + "mlp.down_proj");
        }
        x = Norm(c, x, W("model.norm.weight"));
        var output = weights.ContainsKey("lm_head.weight") ? W("lm_head.weight") : W("model.embed_tokens.weight");
        var logits = x.matmul(output.t());
        var result = new double[n, c.VocabSize];
        var flat = logits.contiguous().data<double>().ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c.VocabSize; j++)
                result[i, j] = flat[i * c.VocabSize + j];
        return result;
    }

    /// <summary>x / √(mean(x²) + ε) times w (Llama) or 1 + w (Gemma), row by row.</summary>
    private static Tensor Norm(TransformerConfig c, Tensor x, Tensor w)
    {
        var rms = (x.pow(2).mean([-1], keepdim: true) + c.NormEps).sqrt();
        return x / rms * (c.NormWeightPlusOne ? w + 1 : w);
    }

    private static Tensor Activate(GatedActivation activation, Tensor x) => activation switch
    {
        GatedActivation.Silu => x / (1 + (-x).exp()),
        GatedActivation.GeluTanh => 0.5 * x * (1 + (Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh()),
        _ => throw new ArgumentException(activation.ToString()),
    };

    /// <summary>cos/sin [n, hd/2] of angle position · θ^(−2j/hd) (divided by the factor for linear scaling).</summary>
    private static (Tensor Cos, Tensor Sin) Angles(TransformerConfig c, int n)
    {
        int half = c.HeadDim / 2;
        double factor = c.RopeScaling.Kind switch
        {
            RopeScalingKind.None => 1,
            RopeScalingKind.Linear => c.RopeScaling.Factor,
            _ => throw new ArgumentException("the naive decoder knows plain and linear RoPE only"),
        };
        var cos = new double[n, half];
        var sin = new double[n, half];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < half; j++)
            {
                double angle = t * Math.Pow(c.RopeTheta, -2.0 * j / c.HeadDim) / factor;
                (cos[t, j], sin[t, j]) = (Math.Cos(angle), Math.Sin(angle));
            }
        return (torch.tensor(cos), torch.tensor(sin));
    }

    /// <summary>Rotates the pairs (x_j, x_{j+hd/2}) of every row by that row's angles.</summary>
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[1] / 2;
        var first = x[.., ..(int)half];
        var second = x[.., (int)half..];
        return torch.cat([first * cos - second * sin, second * cos + first * sin], 1);
    }
}
