using Loom.Models;
using Loom.Models.PixelCnn;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>
/// The exact likelihood: the NLL equals a naive sum of per-pixel conditionals, each computed from a run of the network on
/// an image whose later pixels are scrambled, in double precision; the probabilities of every image of a tiny size sum to 1;
/// a conditional model's marginal is the log-mean of its class conditionals.
/// </summary>
public class PixelCnnLikelihoodTests
{
    [Theory]
    [InlineData(PixelCnnHead.Binary)]
    [InlineData(PixelCnnHead.Byte)]
    public void NllIsTheSumOfNaivePerPixelConditionals(PixelCnnHead head)
    {
        const int h = 4, w = 3, n = 3;
        using var model = PixelCnnFixtures.Model(head, h, w, layers: 3);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = PixelCnnFixtures.Pixels(head, n, h, w, seed: 11);
        var noise = PixelCnnFixtures.Pixels(head, n, h, w, seed: 12);
        var expected = new double[n];
        for (int i = 0; i < h * w; i++)
        {
            int r = i / w, c = i % w;
            // The pixels from i on replaced: p(x_i | x_<i) must not notice.
            var later = torch.arange(h * w).ge(i).reshape(1, 1, h, w);
            var logits = model.Network.Logits(torch.where(later, noise, x), null).to(ScalarType.Float64);
            for (int k = 0; k < n; k++)
            {
                double value = x[k, 0, r, c].ToDouble();
                var l = logits[k, .., r, c];
                if (head == PixelCnnHead.Binary)
                {
                    double p = 1 / (1 + Math.Exp(-l[0].ToDouble()));
                    expected[k] += -(value == 1 ? Math.Log(p) : Math.Log(1 - p));
                }
                else
                {
                    double[] levels = l.data<double>().ToArray();
                    double max = levels.Max();
                    double logSum = max + Math.Log(levels.Sum(v => Math.Exp(v - max)));
                    expected[k] += -(levels[(int)value] - logSum);
                }
            }
        }
        var nll = model.PixelNll(x).data<double>().ToArray();
        for (int k = 0; k < n; k++)
            Assert.Equal(expected[k], nll[k], 3);
        Assert.All(nll, v => Assert.True(v > 0));
    }

    [Fact]
    public void BinaryProbabilitiesOfAllImagesSumToOne()
    {
        const int h = 3, w = 3;
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, h, w, layers: 2);
        using var scope = torch.NewDisposeScope();
        var all = torch.arange(1 << (h * w)).unsqueeze(1).bitwise_right_shift(torch.arange(h * w)).bitwise_and(1)
            .to(ScalarType.Float32).reshape(-1, 1, h, w);
        double total = (-model.PixelNll(all)).exp().sum().ToDouble();
        Assert.Equal(1.0, total, 5);
    }

    [Fact]
    public void BytePixelProbabilitiesOfAllImagesSumToOne()
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Byte, 1, 2, layers: 2);
        using var scope = torch.NewDisposeScope();
        var levels = torch.arange(256, dtype: ScalarType.Float32);
        var all = torch.stack([levels.repeat_interleave(256), levels.repeat(256)], 1).reshape(-1, 1, 1, 2);
        double total = (-model.PixelNll(all)).exp().sum().ToDouble();
        Assert.Equal(1.0, total, 4);
    }

    [Fact]
    public void AConditionalModelsMarginalIsTheLogMeanOfItsClassConditionals()
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 4, 4, layers: 2, classes: 3);
        using var scope = torch.NewDisposeScope();
        var x = PixelCnnFixtures.Pixels(PixelCnnHead.Binary, 2, 4, 4, seed: 5);
        var perClass = Enumerable.Range(0, 3).Select(c => model.PixelNll(x, torch.full(2, (long)c, ScalarType.Int64))).ToArray();
        Assert.False(perClass[0].allclose(perClass[1]), "the class makes no difference");
        var expected = -(torch.stack(perClass.Select(t => -t).ToArray(), 1).logsumexp(1) - Math.Log(3));
        Assert.True(model.PixelNll(x).allclose(expected, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void ExampleNllBinarizesGreyImagesWithAFixedSeedAndKeepsBinaryOnes()
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 4, 4, layers: 2);
        using var scope = torch.NewDisposeScope();
        var grey = torch.rand([5, 1, 4, 4], generator: new torch.Generator(2));
        IExampleScorer scorer = model;
        Assert.True(scorer.ExampleNll(grey).equal(scorer.ExampleNll(grey)).all().item<bool>());
        var binary = PixelCnnFixtures.Pixels(PixelCnnHead.Binary, 5, 4, 4, seed: 3);
        Assert.True(scorer.ExampleNll(binary).allclose(model.PixelNll(binary)));
        Assert.Throws<global::Loom.Core.LoomDataException>(() => scorer.ExampleNll(torch.rand([2, 1, 5, 4])));
    }
}
