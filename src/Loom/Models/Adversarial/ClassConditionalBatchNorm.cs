using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// Class-conditional BatchNorm for a conditional generator (de Vries et al. 2017; the generator of Miyato &amp; Koyama's
/// projection GAN): BatchNorm without its own affine transform, followed by a per-class gain γ_y and bias β_y looked up
/// from two embeddings — h ↦ γ_y · BN(h) + β_y. Every upsampling stage then sees the class, not only the first layer.
/// γ starts at 1 and β at 0, so a new network begins as a plain BatchNorm. State keys: <c>norm.running_mean</c>,
/// <c>norm.running_var</c>, <c>norm.num_batches_tracked</c>, <c>gain.weight</c> [classes, channels], <c>bias.weight</c>.
/// </summary>
public sealed class ClassConditionalBatchNorm : nn.Module
{
    private readonly BatchNorm2d norm;
    private readonly Embedding gain;
    private readonly Embedding bias;

    public ClassConditionalBatchNorm(long channels, int numClasses) : base("class_conditional_batch_norm")
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses),
            "class-conditional BatchNorm needs at least one class");
        norm = nn.BatchNorm2d(channels, affine: false);
        gain = nn.Embedding(numClasses, channels);
        bias = nn.Embedding(numClasses, channels);
        using (torch.no_grad())
        {
            gain.weight!.fill_(1.0);
            bias.weight!.zero_();
        }
        RegisterComponents();
    }

    /// <param name="x">[n, channels, h, w].</param>
    /// <param name="labels">[n] int64 class ids.</param>
    public Tensor forward(Tensor x, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var g = gain.forward(labels).unsqueeze(-1).unsqueeze(-1);
        var b = bias.forward(labels).unsqueeze(-1).unsqueeze(-1);
        return (norm.forward(x) * g + b).MoveToOuterDisposeScope();
    }
}
