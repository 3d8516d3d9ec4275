using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// The contract every model family implements. A model knows its kind (the registry name), its
/// hyperparameters (round-trip through <c>config.json</c>) and its tensors (round-trip through
/// <c>model.safetensors</c>), and it can sample. Capabilities beyond that are separate interfaces
/// (<see cref="ILikelihoodModel"/>), so a caller discovers them instead of calling a method that throws.
/// </summary>
public interface IGenerativeModel : IDisposable
{
    /// <summary>Registry name, e.g. <c>gmm</c>, <c>hmm</c>, <c>ngram</c>.</summary>
    string Kind { get; }

    /// <summary>Hyperparameters as JSON; <see cref="IModelFamily.Load"/> rebuilds the model from it and the state.</summary>
    JsonObject GetConfig();

    /// <summary>Named tensors (any device); written to <c>model.safetensors</c> on CPU.</summary>
    IReadOnlyDictionary<string, Tensor> GetState();

    /// <summary>Draws samples. The same request (seed included) gives the same samples on CPU.</summary>
    SampleSet Sample(SampleRequest request);

    /// <summary>
    /// What else the model can do, as Microsoft.Extensions.AI's <c>GetService</c>: an object of
    /// <paramref name="serviceType"/> (this model when it implements it: <see cref="ILikelihoodModel"/>,
    /// <see cref="IConditionalModel"/>, <see cref="ILatentVariableModel"/>, <see cref="IProgressiveSampler"/>, …) or null.
    /// Callers ask instead of testing for concrete types; a family may answer with a helper object.
    /// </summary>
    object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
}

/// <summary>A model with a tractable log-likelihood (GMM, HMM, n-gram, later autoregressive models and flows).</summary>
public interface ILikelihoodModel
{
    /// <summary>Scores a dataset in the model's own data format; units and conventions are in <see cref="ScoreReport"/>.</summary>
    ScoreReport Score(string dataPath, CancellationToken cancellation = default);

    /// <summary>
    /// As <see cref="Score"/>, for the text of such a data file held in memory (a server's request body, a test's
    /// data); <paramref name="source"/> names the data in errors.
    /// </summary>
    ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default);
}

/// <summary>
/// A model that scores examples of a tensor dataset one at a time: the per-example losses behind membership-inference
/// audits and per-example analysis. Same units as <see cref="ScoreReport"/> (nats).
/// </summary>
public interface IExampleScorer
{
    /// <summary>−log p(x) in nats for each row (first dimension) of <paramref name="examples"/>: [n] float64.</summary>
    Tensor ExampleNll(Tensor examples);
}

/// <summary>What to sample. Families ignore what does not apply to them (a GMM has no prompt).
/// A record: derive a changed copy with <c>with { }</c> instead of mutating a shared one.</summary>
public sealed record SampleRequest
{
    public int Count { get; init; } = 16;
    public long Seed { get; init; } = 0;
    /// <summary>Sequence length for sequence models (HMM steps, n-gram characters or words).</summary>
    public int Length { get; init; } = 200;
    /// <summary>Text the sample starts with (text models).</summary>
    public string? Prompt { get; init; }
    /// <summary>
    /// How far samples stray from the model's most likely outputs; 1 samples the model as trained, below 1 is more
    /// conservative. One meaning per kind of randomness: for discrete draws (n-gram and neural text, the VQ-VAE's code
    /// prior) the softmax temperature of each draw; for continuous draws (Gaussian mixture offsets, VAE and GAN latents)
    /// the scale of the noise's standard deviation. HMMs and diffusion models have no temperature and refuse values
    /// other than 1 (a diffusion sampler's randomness is set by its options, e.g. DDIM's η).
    /// </summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>
    /// Class to condition on (class-conditional models, <see cref="IConditionalModel"/>); null spreads the samples over the
    /// classes evenly and returns the labels.
    /// </summary>
    public int? Class { get; init; }

    /// <summary>
    /// Family-specific options, by type, as <c>ChatOptions.AdditionalProperties</c> carries what a provider needs: e.g. a
    /// <c>GenerationSettings</c> for text decoding, a <c>DiffusionRequest</c> for a diffusion sampler and its guidance. A
    /// family reads the options it knows with <see cref="Get{T}"/> and ignores the rest.
    /// </summary>
    public IReadOnlyList<object> Options { get; init; } = [];

    /// <summary>The last option of type <typeparamref name="T"/>, or null.</summary>
    public T? Get<T>() where T : class => Options.OfType<T>().LastOrDefault();

    /// <summary>A copy with <paramref name="option"/> added (it wins over an earlier option of its type).</summary>
    public SampleRequest With(object option) => this with { Options = [.. Options, option] };
}

/// <summary>Samples of any family; the CLI writes each shape in its natural format.</summary>
public abstract record SampleSet;

/// <summary>
/// Points or images, first dimension = sample index (e.g. [n, d] or [n, c, h, w]); <paramref name="Labels"/> [n] int64 are
/// the classes a conditional model was asked for (kept beside the samples so evaluation can report class accuracy).
/// </summary>
public sealed record TensorSamples(Tensor Values, Tensor? Labels = null) : SampleSet, IDisposable
{
    /// <summary>
    /// What each label value names (<see cref="Labels"/> index into it), e.g. the classes of a model trained on a subset;
    /// null when the labels are plain class ids.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Disposes the samples and the labels.</summary>
    public void Dispose()
    {
        Values.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>Generated text, one string per sample.</summary>
public sealed record TextSamples(IReadOnlyList<string> Texts) : SampleSet;

/// <summary>Sequences from a latent-state model: observations ([T] ids or [T, d] vectors) and hidden states ([T]).</summary>
public sealed record SequenceSamples(IReadOnlyList<Tensor> Observations, IReadOnlyList<Tensor> States) : SampleSet;

/// <summary>
/// Negative log-likelihood of a dataset. Loom's one convention: NLL is in nats, summed over <see cref="Units"/>
/// (samples for densities over vectors, characters or tokens for text, time steps for sequences, dimensions for
/// images); per-unit NLL, perplexity and bits per unit derive from it.
/// </summary>
public sealed record ScoreReport(double TotalNllNats, long Units, string Unit, IReadOnlyDictionary<string, double>? Extra = null)
{
    public double NllPerUnit => TotalNllNats / Units;
    public double Perplexity => Math.Exp(NllPerUnit);
    public double BitsPerUnit => NllPerUnit / Math.Log(2);
}
