using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// <see cref="ScaledAttention"/> against a naive softmax(q·kᵀ/√d + causal mask)·v: in float32; and in bfloat16 during
/// training, where the CPU computes it in float32 (libtorch's bfloat16 attention backward is slow there), so the output is
/// the float32 result rounded once and the gradients reach the bfloat16 inputs in their own dtype. Without autograd
/// (inference, the KV cache's dtype) the bfloat16 path stays in bfloat16.
/// </summary>
public sealed class ScaledAttentionTests
{
    private static Tensor Naive(Tensor q, Tensor k, Tensor v)
    {
        long t = q.shape[2];
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[3]);
        var allowed = torch.ones(t, t, ScalarType.Bool).tril();
        return scores.masked_fill(allowed.logical_not(), double.NegativeInfinity).softmax(-1).matmul(v);
    }

    private static (Tensor Q, Tensor K, Tensor V) Inputs()
    {
        var g = new Generator(7);
        return (torch.randn([2, 3, 5, 8], generator: g), torch.randn([2, 3, 5, 8], generator: g), torch.randn([2, 3, 5, 8], generator: g));
    }

    [Fact]
    public void Causal_attention_in_float32_matches_the_naive_formula()
    {
        var (q, k, v) = Inputs();
        var output = ScaledAttention.Compute(q, k, v, mask: null, causal: true);
        Assert.True(output.allclose(Naive(q, k, v), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Bfloat16_training_attention_is_the_float32_result_rounded_once_with_bfloat16_gradients()
    {
        var (q32, k32, v32) = Inputs();
        var q = q32.to(ScalarType.BFloat16).requires_grad_(true);
        var k = k32.to(ScalarType.BFloat16).requires_grad_(true);
        var v = v32.to(ScalarType.BFloat16).requires_grad_(true);
        Assert.True(ScaledAttention.ComputesInFloat32(q));
        var output = ScaledAttention.Compute(q, k, v, mask: null, causal: true);
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        using (torch.no_grad())
        {
            var exact = Naive(q.detach().to(ScalarType.Float32), k.detach().to(ScalarType.Float32), v.detach().to(ScalarType.Float32));
            var error = (output.detach().to(ScalarType.Float32) - exact).abs();
            // One rounding to bfloat16 (8 significant bits): at most half a step, 2⁻⁸ of the magnitude.
            Assert.True(error.le(exact.abs() * (1.0 / 256) + 1e-5).all().item<bool>(), $"max error {error.max().item<float>()}");
        }
        output.sum().backward();
        Assert.Equal(ScalarType.BFloat16, q.grad!.dtype);
        Assert.True(q.grad.abs().sum().to(ScalarType.Float32).item<float>() > 0);
        using (torch.no_grad())
            Assert.False(ScaledAttention.ComputesInFloat32(q.detach()));
    }
}
