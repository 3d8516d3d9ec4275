using Loom.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Layers;

/// <summary>
/// <see cref="Convolutions"/>, <see cref="Conv2dLayer"/> and <see cref="ConvTranspose2dLayer"/> against naive
/// convolutions written with loops. libtorch 2.10's oneDNN kernels get three cases wrong, so these tests fail with plain
/// <c>nn.Conv2d</c>/<c>nn.ConvTranspose2d</c>: conv2d's input gradient when the output channel count is not a multiple
/// of 16 (8→4 channels: NaN or 19% off; five cases), conv2d's output when the input channel count is above 16 and not a
/// multiple of 16 (24→8: up to ~0.5 off), and conv_transpose2d's input gradient when its output channel count is.
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
        using var x = torch.randn(4, 6, 9, 9).requires_grad_(true);
        AssertDropIn(reference, layer, x);
    }

    /// <summary>
    /// <paramref name="layer"/> has <paramref name="reference"/>'s parameter names and values, output and parameter
    /// gradients for <paramref name="x"/>.
    /// </summary>
    private static void AssertDropIn(nn.Module<Tensor, Tensor> reference, nn.Module<Tensor, Tensor> layer, Tensor x)
    {
        var expectedParameters = reference.named_parameters().ToList();
        var actualParameters = layer.named_parameters().ToList();
        Assert.Equal(["weight", "bias"], actualParameters.Select(p => p.name));
        Assert.Equal(expectedParameters.Select(p => p.name), actualParameters.Select(p => p.name));
        foreach (var (expected, actual) in expectedParameters.Zip(actualParameters))
            Assert.True(expected.parameter.eq(actual.parameter).all().item<bool>(), $"{actual.name} differs");

        using var expectedOutput = reference.forward(x);
        using var actualOutput = layer.forward(x);
        Assert.Equal(expectedOutput.shape, actualOutput.shape);
        Assert.True(torch.allclose(expectedOutput, actualOutput, rtol: 1e-5, atol: 1e-6));
        using (var loss = actualOutput.pow(2).sum()) loss.backward();
        using (var loss = expectedOutput.pow(2).sum()) loss.backward();
        foreach (var (expected, actual) in expectedParameters.Zip(actualParameters))
            Assert.True(torch.allclose(expected.parameter.grad!, actual.parameter.grad!, rtol: 1e-4, atol: 1e-5),
                $"{actual.name} gradient differs");
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

    /// <summary>conv2d(x, w, b) for padding k / 2 and stride 1, by loops.</summary>
    private static float[] NaiveForward(float[] x, float[] w, float[] bias, int n, int inC, int outC, int h, int k)
    {
        int p = k / 2;
        var y = new float[n * outC * h * h];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < outC; o++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < h; j++)
                    {
                        double sum = bias[o];
                        for (int c = 0; c < inC; c++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int si = i - p + ki, sj = j - p + kj;
                                    if (si >= 0 && sj >= 0 && si < h && sj < h)
                                        sum += w[((o * inC + c) * k + ki) * k + kj] * x[((b * inC + c) * h + si) * h + sj];
                                }
                        y[((b * outC + o) * h + i) * h + j] = (float)sum;
                    }
        return y;
    }

    [Theory]
    [InlineData(24, 8, false)]
    [InlineData(24, 8, true)]
    [InlineData(17, 16, false)]
    [InlineData(40, 3, true)]
    [InlineData(31, 24, false)]
    [InlineData(48, 16, false)]
    public void Output_equals_a_naive_convolution_for_every_input_channel_count(int inC, int outC, bool inputGradient)
    {
        const int n = 2, h = 6, k = 3;
        torch.manual_seed(inC * 100 + outC);
        using var layer = new Conv2dLayer(inC, outC, k, padding: 1);
        using var x0 = torch.randn(n, inC, h, h);
        var expected = NaiveForward(x0.data<float>().ToArray(), layer.Weight.data<float>().ToArray(), layer.Bias!.data<float>().ToArray(),
            n, inC, outC, h, k);
        for (int pass = 0; pass < 5; pass++)
        {
            using var scope = torch.NewDisposeScope();
            var x = x0.clone().requires_grad_(inputGradient);
            var actual = layer.forward(x).data<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            double worst = expected.Zip(actual).Max(e => Math.Abs(e.First - e.Second));
            Assert.True(worst < 1e-4, $"pass {pass}: output differs from the naive one by up to {worst}");
        }
    }

    /// <summary>d/dx of sum(conv_transpose2d(x, w) · g) for w [in, out, k, k], by loops.</summary>
    private static float[] NaiveTransposedInputGradient(float[] w, float[] g, int n, int inC, int outC, int h, int k, int stride, int p)
    {
        int ho = (h - 1) * stride - 2 * p + k;
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
                                    int yi = i * stride - p + ki, yj = j * stride - p + kj;
                                    if (yi >= 0 && yj >= 0 && yi < ho && yj < ho)
                                        sum += w[((c * outC + o) * k + ki) * k + kj] * g[((b * outC + o) * ho + yi) * ho + yj];
                                }
                        dx[((b * inC + c) * h + i) * h + j] = (float)sum;
                    }
        return dx;
    }

    [Theory]
    [InlineData(8, 24)]
    [InlineData(24, 24)]
    [InlineData(32, 40)]
    [InlineData(8, 4)]
    [InlineData(16, 1)]
    public void Transposed_input_gradient_equals_a_naive_one_for_every_output_channel_count(int inC, int outC)
    {
        const int n = 2, h = 5, k = 4, stride = 2, p = 1;
        int ho = (h - 1) * stride - 2 * p + k;
        torch.manual_seed(inC * 100 + outC);
        using var layer = new ConvTranspose2dLayer(inC, outC, k, stride, p);
        using var x0 = torch.randn(n, inC, h, h);
        using var g = torch.randn(n, outC, ho, ho);
        var expected = NaiveTransposedInputGradient(layer.Weight.data<float>().ToArray(), g.data<float>().ToArray(), n, inC, outC, h, k,
            stride, p);
        for (int pass = 0; pass < 5; pass++)
        {
            using var scope = torch.NewDisposeScope();
            var x = x0.clone().requires_grad_(true);
            (layer.forward(x) * g).sum().backward();
            double worst = expected.Zip(x.grad!.data<float>().ToArray()).Max(e => Math.Abs(e.First - e.Second));
            Assert.True(worst < 1e-4, $"pass {pass}: input gradient differs from the naive one by up to {worst}");
        }
    }

    [Fact]
    public void Transposed_layer_keeps_nn_ConvTranspose2d_names_init_output_and_weight_gradient()
    {
        torch.manual_seed(5);
        using var reference = nn.ConvTranspose2d(6, 24, 4, stride: 2, padding: 1);
        torch.manual_seed(5);
        using var layer = new ConvTranspose2dLayer(6, 24, 4, stride: 2, padding: 1);
        using var x = torch.randn(3, 6, 7, 7).requires_grad_(true);
        AssertDropIn(reference, layer, x);
    }
}
