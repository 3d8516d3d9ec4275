using Loom.Models.Latent.Quantized;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Latent.Quantized;

/// <summary>The vector quantizer: assignment, straight-through gradient, EMA codebook step, dead-code restarts, perplexity.</summary>
public class VectorQuantizerTests : OneTorchThread
{
    /// <summary>Sets the codebook and its EMA state to <paramref name="codes"/> with every cluster size 1.</summary>
    private static void SetCodebook(VectorQuantizer quantizer, float[,] codes)
    {
        using var noGrad = torch.no_grad();
        using var values = torch.tensor(codes);
        quantizer.Codebook.copy_(values);
        quantizer.CodeSum.copy_(values);
        quantizer.ClusterSize.fill_(1);
    }

    /// <summary>A [1, D, 1, n] encoder map whose n positions are the given vectors, in order.</summary>
    private static Tensor Map(float[,] vectors) => torch.tensor(vectors).t().reshape(1, vectors.GetLength(1), 1, vectors.GetLength(0));

    [Fact]
    public void Assignment_equals_a_naive_loop_over_codes()
    {
        torch.manual_seed(3);
        using var quantizer = new VectorQuantizer(7, 3);
        using var z = torch.randn(5, 3, 2, 2) * 1.5;
        using var indices = quantizer.AssignMap(z);
        Assert.Equal(new long[] { 5, 2, 2 }, indices.shape);
        var codes = quantizer.Codebook.to(ScalarType.Float64).data<double>().ToArray();
        using var zd = z.to(ScalarType.Float64);
        for (int n = 0; n < 5; n++)
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < 2; c++)
                {
                    int best = -1;
                    double bestDistance = double.PositiveInfinity;
                    for (int k = 0; k < 7; k++)
                    {
                        double distance = 0;
                        for (int d = 0; d < 3; d++)
                        {
                            double diff = zd[n, d, r, c].ToDouble() - codes[k * 3 + d];
                            distance += diff * diff;
                        }
                        if (distance < bestDistance) (best, bestDistance) = (k, distance);
                    }
                    Assert.Equal(best, indices[n, r, c].ToInt64());
                }
    }

    [Fact]
    public void Straight_through_gradient_reaches_the_encoder_output_unchanged()
    {
        torch.manual_seed(4);
        using var quantizer = new VectorQuantizer(6, 4, commitment: 0.25);
        quantizer.eval();
        using var z = (torch.randn(2, 4, 3, 3)).requires_grad_(true);
        var output = quantizer.forward(z);
        // The forward value is the chosen code at every position.
        using var expected = quantizer.Lookup(output.Indices);
        Assert.True(torch.allclose(output.Quantized.detach(), expected, rtol: 1e-6, atol: 1e-6));
        using var weights = torch.randn(2, 4, 3, 3);
        (output.Quantized * weights).sum().backward();
        Assert.True(torch.allclose(z.grad!, weights, rtol: 0, atol: 0),
            "the gradient through the quantizer must be the upstream gradient itself");
    }

    [Fact]
    public void Commitment_loss_is_beta_times_the_mean_squared_distance_to_the_stopped_code()
    {
        using var quantizer = new VectorQuantizer(2, 2, commitment: 0.5);
        quantizer.eval();
        SetCodebook(quantizer, new float[,] { { 0, 0 }, { 10, 10 } });
        using var z = Map(new float[,] { { 1, 0 }, { 9, 12 } }).requires_grad_(true);
        var output = quantizer.forward(z);
        // (1² + 0² + 1² + 2²) / 4 elements · β
        Assert.Equal(0.5 * 6 / 4.0, output.CommitmentLoss.ToDouble(), 6);
        output.CommitmentLoss.backward();
        // d/dz of β·mean((z − q)²) = 2β(z − q)/4; the codebook gets nothing (it is a buffer, updated by EMA).
        Assert.Equal(new[] { 0.25f, 0f, -0.25f, 0.5f }, z.grad!.reshape(2, 2).t().reshape(-1).data<float>().ToArray());
        Assert.Empty(quantizer.named_parameters());
    }

    [Fact]
    public void Ema_step_matches_a_hand_computation()
    {
        using var quantizer = new VectorQuantizer(2, 2, decay: 0.9, deadCodeThreshold: 0, epsilon: 1e-5);
        Assert.Equal(new[] { "codebook", "cluster_size", "code_sum" }, quantizer.named_buffers().Select(b => b.name).ToArray());
        SetCodebook(quantizer, new float[,] { { 0, 0 }, { 10, 10 } });
        quantizer.train();
        // Three vectors go to code 0, one to code 1.
        using var z = Map(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 9, 10 } });
        var output = quantizer.forward(z);
        Assert.Equal(new long[] { 0, 0, 0, 1 }, output.Indices.reshape(-1).data<long>().ToArray());
        // N = 0.9·1 + 0.1·(3, 1) = (1.2, 1.0); m0 = 0.9·(0, 0) + 0.1·(2, 2); m1 = 0.9·(10, 10) + 0.1·(9, 10).
        double n0 = 1.2, n1 = 1.0, total = 2.2, eps = 1e-5;
        double s0 = (n0 + eps) / (total + 2 * eps) * total, s1 = (n1 + eps) / (total + 2 * eps) * total;
        double[] expected = [0.2 / s0, 0.2 / s0, 9.9 / s1, 10.0 / s1];
        var codebook = quantizer.Codebook.data<float>().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], codebook[i], 5);
        Assert.Equal(new[] { 1.2f, 1.0f }, quantizer.ClusterSize.data<float>().ToArray().Select(v => MathF.Round(v, 6)).ToArray());
        Assert.Equal(new[] { 0.2f, 0.2f, 9.9f, 10f }, quantizer.CodeSum.data<float>().ToArray().Select(v => MathF.Round(v, 5)).ToArray());
        // The quantization returned by this pass used the codebook from before the step.
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f, 0f, 10f, 10f }, output.Quantized.permute(0, 2, 3, 1).reshape(-1).data<float>().ToArray());
        // Evaluation mode leaves the codebook alone.
        quantizer.eval();
        quantizer.forward(z);
        Assert.Equal(codebook, quantizer.Codebook.data<float>().ToArray());
    }

    [Fact]
    public void A_dead_code_is_restarted_at_a_batch_vector_deterministically()
    {
        float[][] RestartedCodes(long seed)
        {
            torch.manual_seed(seed);
            using var quantizer = new VectorQuantizer(4, 2, decay: 0.99, deadCodeThreshold: 1.0);
            SetCodebook(quantizer, new float[,] { { 0, 0 }, { 100, 100 }, { 0, 0 }, { -100, 50 } });
            quantizer.train();
            using var z = Map(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, 1 }, { 1, 2 }, { 0.5f, 0.5f } });
            var output = quantizer.forward(z);
            // Codes 1 and 3 are far away; code 2 ties with code 0 and loses (argmin takes the first): all three
            // got nothing, their cluster size fell to 0.99 < 1, and each was restarted at a distinct batch vector.
            Assert.Equal(3, output.RestartedCodes);
            var vectors = z.permute(0, 2, 3, 1).reshape(-1, 2);
            var restarted = new[] { 1, 2, 3 }.Select(k => quantizer.Codebook[k].data<float>().ToArray()).ToArray();
            foreach (var code in restarted)
                Assert.Contains(Enumerable.Range(0, 6), i => vectors[i].data<float>().ToArray().SequenceEqual(code));
            Assert.Equal(3, restarted.Select(c => $"{c[0]},{c[1]}").Distinct().Count());
            Assert.Equal(new[] { 1f, 1f, 1f }, new[] { 1, 2, 3 }.Select(k => quantizer.ClusterSize[k].ToSingle()).ToArray());
            Assert.Equal(quantizer.Codebook[1].data<float>().ToArray(), quantizer.CodeSum[1].data<float>().ToArray());
            // Code 0 took all six vectors and was not restarted: N0 = 0.99 + 0.06.
            Assert.Equal(1.05f, quantizer.ClusterSize[0].ToSingle(), 5);
            return restarted;
        }
        var first = RestartedCodes(11);
        var again = RestartedCodes(11);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Perplexity_of_uniform_usage_is_the_number_of_codes()
    {
        using var quantizer = new VectorQuantizer(5, 2);
        quantizer.eval();
        var codes = new float[,] { { 0, 0 }, { 4, 0 }, { 0, 4 }, { 4, 4 }, { 8, 8 } };
        SetCodebook(quantizer, codes);
        // Every code used twice.
        var vectors = new float[10, 2];
        for (int i = 0; i < 10; i++) (vectors[i, 0], vectors[i, 1]) = (codes[i % 5, 0] + 0.1f, codes[i % 5, 1]);
        using var z = Map(vectors);
        Assert.Equal(5.0, quantizer.forward(z).Perplexity.ToDouble(), 4);
        // One code for everything: perplexity 1.
        using var single = Map(new float[,] { { 0, 0.1f }, { 0.1f, 0 }, { 0, 0 } });
        Assert.Equal(1.0, quantizer.forward(single).Perplexity.ToDouble(), 6);
        using var counts = torch.tensor(new float[] { 1, 1, 2, 0 });
        Assert.Equal(Math.Exp(-(2 * 0.25 * Math.Log(0.25) + 0.5 * Math.Log(0.5))), VectorQuantizer.Perplexity(counts).ToDouble(), 5);
    }
}
