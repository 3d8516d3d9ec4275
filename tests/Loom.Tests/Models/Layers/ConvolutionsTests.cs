using Loom.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Layers;

/// <summary>
/// <see cref="Convolutions"/> and <see cref="Conv2dLayer"/> against a naive convolution written with loops: the input
/// gradient of libtorch 2.10's oneDNN kernel is wrong when the output channel count is not a multiple of 16 (8→4
/// channels: NaN or 19% off), so five of these cases fail with a plain <c>nn.Conv2d</c>.
/// </summary>
public sealed class ConvolutionsTests
{
    /// <summary>d/dx of sum(conv2d(x, w) · g) for padding p = k / 2 and the given stride, by loops.</summary>
    private static float[] NaiveInputGradient(float[] w, float[] g, int n, int inC, int outC, int h, int k, int stride = 1)
    {
        int p = k / 2, ho = (h + 2 * p - k) / stride + 1;
        var dx = new float[n * inC * h * h];
        for (int b = 0; b < n; b++)
            for (int c = 0; c < inC; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < h; j++)
                    {
                        double sum = 0;
                        for (int o = 0; o < outC; o++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int si = i + p - ki, sj = j + p - kj;  // = output position · stride
                                    if (si < 0 || sj < 0 || si % stride != 0 || sj % stride != 0)
                                        continue;
                                    int oi = si / stride, oj = sj / stride;
                                    if (oi < ho && oj < ho)
                                        sum += w[((o * inC + c) * k + ki) * k + kj] * g[((b * outC + o) * ho + oi) * ho + oj];
                                }
                        dx[((b * inC + c) * h + i) * h + j] = (float)sum;
                    }
        return dx;
    }

    [Theory]
    [InlineData(8, 4, 1)]
    [InlineData(32, 1, 1)]
    [InlineData(16, 4, 1)]
    [InlineData(8, 8, 1)]
    [InlineData(3, 5, 1)]
    [InlineData(16, 32, 1)]
    [InlineData(8, 8, 2)]
    [InlineData(8, 16, 2)]
    [InlineData(16, 16, 2)]
    [InlineData(3, 5, 2)]
    public void Input_gradient_equals_a_naive_convolution_for_every_output_channel_count(int inC, int outC, int stride)
    {
        const int n = 5, h = 8, k = 3;
        int ho = (h + 2 - k) / stride + 1;
        torch.manual_seed(inC * 100 + outC);
        using var layer = new Conv2dLayer(inC, outC, k, stride: stride, padding: 1);
        using var x0 = torch.randn(n, inC, h, h);
        using var g = torch.randn(n, outC, ho, ho);
        var expected = NaiveInputGradient(layer.Weight.data<float>().ToArray(), g.data<float>().ToArray(), n, inC, outC, h, k, stride);
        for (int pass = 0; pass < 20; pass++)
        {
            using var scope = torch.NewDisposeScope();
            var x = x0.clone().requires_grad_(true);
            (layer.forward(x) * g).sum().backward();
            var actual = x.grad!.data<float>().ToArray();
            double worst = expected.Zip(actual).Max(e => Math.Abs(e.First - e.Second));
            Assert.True(worst < 1e-4, $"pass {pass}: input gradient differs from the naive one by up to {worst}");
            layer.zero_grad();
        }
    }

    [Fact]
    public void Forward_and_weight_gradient_equal_plain_libtorch_and_parameters_keep_nn_Conv2d_names_and_init()
    {
        torch.manual_seed(7);
        using var reference = nn.Conv2d(6, 3, 3, stride: 2, padding: 1);
        torch.manual_seed(7);
        using var layer = new Conv2dLayer(6, 3, 3, stride: 2, padding: 1);
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
        Assert.True(reference.weight!.eq(layer.Weight).all().item<bool>());
        Assert.True(reference.bias!.eq(layer.Bias!).all().item<bool>());

        using var x = torch.randn(4, 6, 9, 9).requires_grad_(true);
        using var expected = reference.forward(x);
        using var actual = layer.forward(x);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(torch.allclose(expected, actual, rtol: 1e-5, atol: 1e-6));
        using (var loss = actual.pow(2).sum()) loss.backward();
        using (var loss = expected.pow(2).sum()) loss.backward();
        Assert.True(torch.allclose(reference.weight!.grad!, layer.Weight.grad!, rtol: 1e-4, atol: 1e-5));
        Assert.True(torch.allclose(reference.bias!.grad!, layer.Bias!.grad!, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Reflect_padding_matches_nn_Conv2d_with_reflect_padding()
    {
        torch.manual_seed(3);
        using var reference = nn.Conv2d(2, 4, 3, padding: 1, padding_mode: PaddingModes.Reflect);
        torch.manual_seed(3);
        using var layer = new Conv2dLayer(2, 4, 3, padding: 1, paddingMode: PaddingModes.Reflect);
        using var x = torch.randn(2, 2, 6, 6);
        using var expected = reference.forward(x);
        using var actual = layer.forward(x);
        Assert.True(torch.allclose(expected, actual, rtol: 1e-5, atol: 1e-6));
    }
}
