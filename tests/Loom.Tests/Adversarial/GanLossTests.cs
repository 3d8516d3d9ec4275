using Loom.Core;
using Loom.Models.Adversarial;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>The three GAN losses on fixed scores, and the gradient penalty against central finite differences.</summary>
public class GanLossTests
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    [Fact]
    public void Losses_equal_their_formulas_on_fixed_scores()
    {
        using var scope = torch.NewDisposeScope();
        var real = torch.tensor(new[] { 2.0, -1.0 });
        var fake = torch.tensor(new[] { 0.5, -3.0 });
        double Value(Tensor t) => t.ToDouble();

        Assert.Equal((Softplus(-2) + Softplus(1)) / 2 + (Softplus(0.5) + Softplus(-3)) / 2,
            Value(GanLosses.Discriminator(GanLossKind.NonSaturating, real, fake)), 12);
        Assert.Equal((Softplus(-0.5) + Softplus(3)) / 2, Value(GanLosses.Generator(GanLossKind.NonSaturating, fake)), 12);
        // Wasserstein: mean fake − mean real = −1.25 − 0.5; generator −mean fake = 1.25.
        Assert.Equal(-1.75, Value(GanLosses.Discriminator(GanLossKind.Wasserstein, real, fake)), 12);
        Assert.Equal(1.25, Value(GanLosses.Generator(GanLossKind.Wasserstein, fake)), 12);
        // Hinge: relu(1 − [2, −1]) = [0, 2] → 1; relu(1 + [0.5, −3]) = [1.5, 0] → 0.75.
        Assert.Equal(1.75, Value(GanLosses.Discriminator(GanLossKind.Hinge, real, fake)), 12);
        Assert.Equal(1.25, Value(GanLosses.Generator(GanLossKind.Hinge, fake)), 12);
    }

    [Fact]
    public void Loss_names_parse_and_an_unknown_one_is_a_usage_error()
    {
        foreach (var name in GanLosses.Names)
            Assert.Equal(name, GanLosses.Name(GanLosses.Parse(name)));
        Assert.Equal(GanLossKind.Wasserstein, GanLosses.Parse("WGAN"));
        var error = Assert.Throws<LoomUsageException>(() => GanLosses.Parse("minimax"));
        Assert.Contains("Loss", error.Message);
    }

    [Fact]
    public void Gradient_norms_and_penalty_match_central_finite_differences()
    {
        torch.manual_seed(11);
        using var critic = new MlpDiscriminator(new MlpGanConfig(Dimensions: 3, Width: 8, Layers: 2, NumClasses: 2));
        critic.to(ScalarType.Float64);
        critic.eval();
        using var scope = torch.NewDisposeScope();
        var real = torch.randn([4, 3], dtype: ScalarType.Float64);
        var fake = torch.randn([4, 3], dtype: ScalarType.Float64);
        var labels = torch.tensor(new long[] { 0, 1, 1, 0 });
        var mix = torch.tensor(new[] { 0.1, 0.5, 0.7, 0.95 }, ScalarType.Float64);
        var interpolated = mix.unsqueeze(1) * real + (1 - mix.unsqueeze(1)) * fake;

        var norms = GanLosses.InputGradientNorms(critic, interpolated, labels, createGraph: false);
        var finite = FiniteDifferenceNorms(critic, interpolated, labels, 1e-5);
        for (int i = 0; i < 4; i++)
            Assert.Equal(finite[i], norms[i].ToDouble(), 6);

        var penalty = GanLosses.GradientPenalty(critic, real, fake, labels, mix);
        double expected = finite.Select(g => (g - 1) * (g - 1)).Average();
        Assert.Equal(expected, penalty.ToDouble(), 6);

        // The penalty is differentiable in the critic's parameters (double backpropagation).
        penalty.backward();
        var grads = critic.parameters().Where(p => p.grad is not null).Select(p => p.grad!.abs().sum().ToDouble()).ToList();
        Assert.NotEmpty(grads);
        Assert.True(grads.Sum() > 0 && grads.All(double.IsFinite));
    }

    private static double[] FiniteDifferenceNorms(GanDiscriminator critic, Tensor x, Tensor labels, double h)
    {
        using var noGrad = torch.no_grad();
        long n = x.shape[0], d = x.shape[1];
        var norms = new double[n];
        for (long i = 0; i < n; i++)
        {
            double sum = 0;
            for (long j = 0; j < d; j++)
            {
                using var scope = torch.NewDisposeScope();
                var step = torch.zeros_like(x);
                step[i, j] = torch.tensor(h, ScalarType.Float64);
                double up = critic.Score(x + step, labels)[i].ToDouble();
                double down = critic.Score(x - step, labels)[i].ToDouble();
                double g = (up - down) / (2 * h);
                sum += g * g;
            }
            norms[i] = Math.Sqrt(sum);
        }
        return norms;
    }
}
