using TorchSharp;

namespace Loom.Tests.Models.WaveNet;

/// <summary>
/// The output at step t has exactly zero gradient with respect to the inputs at steps ≥ t, and a nonzero one with respect
/// to each of the R inputs t − 1 … t − R (R = the receptive field, 1 + stacks·(2^layers − 1)), and none further back.
/// </summary>
public class WaveNetCausalityTests
{
    [Theory]
    [InlineData(3, 2, 0, 0)]
    [InlineData(2, 3, 4, 0)]
    [InlineData(2, 3, 4, 5)]
    public void EachStepSeesExactlyItsReceptiveField(int layers, int stacks, int classes, int timelineFeatures)
    {
        using var model = WaveNetFixtures.Model(layers, stacks, classes, timelineFeatures: timelineFeatures);
        int reach = model.Config.ReceptiveField;
        Assert.Equal(1 + stacks * ((1 << layers) - 1), reach);
        int length = reach + 12;
        using var scope = torch.NewDisposeScope();
        var embedded = model.Network.Embed(WaveNetFixtures.Levels(2, length, seed: 5)).detach().requires_grad_();
        var labels = classes > 0 ? torch.tensor(new long[] { 1, 3 }) : null;
        var logits = model.Network.LogitsFromEmbedding(embedded, labels);
        foreach (int t in new[] { 0, 1, reach - 1, reach, length - 1 })
        {
            var grad = torch.autograd.grad([logits.select(1, t).pow(2).sum()], [embedded], retain_graph: true)[0];
            var influence = grad.abs().sum([0, 2]);   // [T]
            for (int s = 0; s < length; s++)
            {
                double g = influence[s].ToDouble();
                if (s >= t || s < t - reach)
                    Assert.True(g == 0, $"step {t} has gradient {g} w.r.t. input {s}");
                else
                    Assert.True(g > 0, $"step {t} does not see input {s} (receptive field {reach})");
            }
        }
    }
}
