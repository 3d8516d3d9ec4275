using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>A GAN generator: latents [n, LatentDim] (and class ids [n] when conditional) → samples in model space.</summary>
public abstract class GanGenerator(string name) : nn.Module(name)
{
    public abstract int LatentDim { get; }

    /// <summary>Number of classes the generator is conditioned on (0 = unconditional).</summary>
    public abstract int NumClasses { get; }

    /// <param name="latents">[n, LatentDim] float.</param>
    /// <param name="labels">[n] int64 class ids for a conditional generator, else null.</param>
    public abstract Tensor Generate(Tensor latents, Tensor? labels);
}

/// <summary>
/// A GAN discriminator (critic): samples (and class ids when conditional) → features φ(x) → one raw score per example
/// [n] from its <see cref="ProjectionHead"/>.
/// </summary>
public abstract class GanDiscriminator(string name) : nn.Module(name)
{
    /// <summary>Number of classes of the projection term (0 = unconditional).</summary>
    public abstract int NumClasses { get; }

    /// <summary>φ(x): [n, features] for samples [n, …] in model space.</summary>
    protected abstract Tensor Features(Tensor x);

    /// <summary>The head that scores (and, with an auxiliary classifier, classifies) the features.</summary>
    protected abstract ProjectionHead Head { get; }

    /// <param name="x">[n, …] samples in model space.</param>
    /// <param name="labels">[n] int64 class ids for a conditional discriminator, else null.</param>
    public Tensor Score(Tensor x, Tensor? labels) => Head.forward(Features(x), labels);

    /// <summary>
    /// <see cref="Score"/> and, for a discriminator built with an auxiliary classifier, its class logits [n, classes]
    /// from the same features (one pass); null logits for a discriminator without one.
    /// </summary>
    public (Tensor Scores, Tensor? ClassLogits) ScoreAndClassify(Tensor x, Tensor? labels)
    {
        var features = Features(x);
        return (Head.forward(features, labels), Head.Classify(features));
    }

    /// <summary>
    /// <see cref="Score"/> with this network's parameters frozen while the graph is built: a backward pass from the
    /// scores reaches whatever produced <paramref name="x"/> (the generator) and leaves no gradients here.
    /// </summary>
    public Tensor ScoreFrozen(Tensor x, Tensor? labels) => Frozen(() => Score(x, labels));

    /// <summary>Runs <paramref name="pass"/> with this network's parameters frozen (see <see cref="ScoreFrozen"/>).</summary>
    public T Frozen<T>(Func<T> pass)
    {
        var parameters = this.parameters().ToList();
        foreach (var p in parameters) p.requires_grad = false;
        try
        {
            return pass();
        }
        finally
        {
            foreach (var p in parameters) p.requires_grad = true;
        }
    }
}

/// <summary>
/// The output of a discriminator from its features φ(x) [n, f]: ψ(φ(x)) = a linear map to one score, plus for a
/// conditional discriminator the projection term ⟨embed(y), φ(x)⟩ (Miyato &amp; Koyama's projection discriminator).
/// With <c>aux_classifier</c> in the config it also holds an auxiliary classifier, a linear map from φ(x) to class logits
/// (AC-GAN, Odena et al. 2017; state keys <c>classifier.weight</c>, <c>classifier.bias</c>).
/// </summary>
public sealed class ProjectionHead : nn.Module
{
    private readonly nn.Module<Tensor, Tensor> linear;
    private readonly Embedding? embed;
    private readonly Linear? classifier;

    public ProjectionHead(long features, int numClasses, bool spectralNorm, bool classifier = false) : base("projection_head")
    {
        linear = SpectralNorm.Linear(features, 1, spectralNorm);
        if (numClasses > 0) embed = nn.Embedding(numClasses, features);
        if (classifier)
        {
            if (numClasses < 1) throw new ArgumentException("an auxiliary classifier needs classes", nameof(classifier));
            this.classifier = nn.Linear(features, numClasses);
        }
        RegisterComponents();
    }

    /// <summary>Class logits [n, classes] of the auxiliary classifier, or null when the head has none.</summary>
    public Tensor? Classify(Tensor features) => classifier?.forward(features);

    public Tensor forward(Tensor features, Tensor? labels)
    {
        var score = linear.forward(features).squeeze(1);
        if (embed is null)
            return score;
        if (labels is null)
            throw new ArgumentException("a conditional discriminator needs class labels", nameof(labels));
        return score + (embed.forward(labels) * features).sum(1);
    }
}

/// <summary>Concatenates a learned class embedding to the latent vector of a conditional generator.</summary>
public sealed class LatentConditioning : nn.Module
{
    private readonly Embedding? embed;

    public LatentConditioning(int numClasses, int embeddingDim) : base("latent_conditioning")
    {
        if (numClasses > 0) embed = nn.Embedding(numClasses, embeddingDim);
        OutputDim = numClasses > 0 ? embeddingDim : 0;
        RegisterComponents();
    }

    /// <summary>Width added to the latent vector (0 when unconditional).</summary>
    public int OutputDim { get; }

    public Tensor forward(Tensor latents, Tensor? labels)
    {
        if (embed is null)
            return latents;
        if (labels is null)
            throw new ArgumentException("a conditional generator needs class labels", nameof(labels));
        return torch.cat([latents, embed.forward(labels)], 1);
    }
}
