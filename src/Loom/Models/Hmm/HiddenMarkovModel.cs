using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// A hidden Markov model with categorical, diagonal-Gaussian or full-Gaussian emissions, computed in float64 log
/// space on CPU. Fit with Baum-Welch (<see cref="Fit"/>); score sequences (<see cref="LogLikelihood(Tensor)"/>,
/// <see cref="Score"/>), decode them (<see cref="Posteriors"/>, <see cref="Viterbi"/>) and sample new ones.
/// <para>Sequences: categorical = 1-D integer tensor <c>[T]</c> of symbols in <c>0..Symbols-1</c>; Gaussian = float
/// tensor <c>[T, D]</c> (or <c>[T]</c> when D = 1). Data files are read by <see cref="HmmData.Read"/> (format documented there).</para>
/// <para>Checkpoint state: <c>startprob [K]</c>, <c>transmat [K, K]</c> (row = from-state), and <c>emissionprob [K, S]</c>
/// or <c>means [K, D]</c> + <c>covars</c> (<c>[K, D]</c> variances for gaussian-diag, <c>[K, D, D]</c> for gaussian-full).</para>
/// </summary>
public sealed class HiddenMarkovModel : IGenerativeModel, ILikelihoodModel
{
    private readonly HmmParameters p;

    internal HiddenMarkovModel(HmmParameters parameters, HmmOptions options, HmmConvergenceMonitor? monitor = null)
    {
        p = parameters;
        Options = options with
        {
            States = parameters.States,
            Symbols = parameters.Emissions.Kind == HmmEmission.Categorical ? parameters.Emissions.Dim : 0
        };
        Monitor = monitor;
    }

    public string Kind => HmmFamily.KindName;

    /// <summary>The options the model was fitted or loaded with (States and Symbols as in the model).</summary>
    public HmmOptions Options { get; }

    /// <summary>The fit's log-likelihood history and stopping reason; null for a loaded model.</summary>
    public HmmConvergenceMonitor? Monitor { get; }

    public int States => p.States;

    /// <summary>Symbols (categorical) or observation dimensions (Gaussian).</summary>
    public int Dim => p.Emissions.Dim;

    public HmmEmission Emission => p.Emissions.Kind;

    public Tensor StartProb => p.StartProb;

    public Tensor TransMat => p.TransMat;

    /// <summary>A categorical HMM from its probabilities: start <c>[K]</c>, transitions <c>[K, K]</c> (row = from), emissions <c>[K,
    /// S]</c>.</summary>
    public static HiddenMarkovModel Categorical(Tensor startProb, Tensor transMat, Tensor emissionProb) =>
        Build(HmmEmission.Categorical, startProb, transMat, () => new CategoricalEmissions(emissionProb));

    /// <summary>A Gaussian HMM: means <c>[K, D]</c>; covars <c>[K, D]</c> (variances, gaussian-diag) or <c>[K, D, D]</c>
    /// (gaussian-full).</summary>
    public static HiddenMarkovModel Gaussian(Tensor startProb, Tensor transMat, Tensor means, Tensor covars) => covars.dim() == 3
        ? Build(HmmEmission.GaussianFull, startProb, transMat, () => new GaussianFullEmissions(means, covars))
        : Build(HmmEmission.GaussianDiag, startProb, transMat, () => new GaussianDiagEmissions(means, covars));

    private static HiddenMarkovModel Build(HmmEmission kind, Tensor startProb, Tensor transMat, Func<HmmEmissions> emissions)
    {
        var e = emissions();
        try { return new HiddenMarkovModel(new HmmParameters(startProb, transMat, e), new HmmOptions { Emission = kind }); }
        catch { e.Dispose(); throw; }
    }

    /// <summary>Fits an HMM to <paramref name="sequences"/> with Baum-Welch; progress is reported once per EM iteration.</summary>
    public static HiddenMarkovModel Fit(IReadOnlyList<Tensor> sequences, HmmOptions options, IProgress<HmmEmProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var (prepared, dim) = PrepareTraining(sequences, options);
        var initial = HmmInitializer.Initialize(prepared, options, dim);
        return FitFrom(initial, prepared, options, progress, cancellation);
    }

    /// <summary>Fits starting from this model's parameters instead of a fresh initialisation (the model itself is unchanged).</summary>
    public HiddenMarkovModel FitFrom(IReadOnlyList<Tensor> sequences, HmmOptions options, IProgress<HmmEmProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        options = options with { States = States, Emission = Emission, Symbols = Emission == HmmEmission.Categorical ? Dim : 0 };
        options.Validate();
        var prepared = PrepareAll(sequences, p.Emissions);
        return FitFrom(Clone(p), prepared, options, progress, cancellation);
    }

    /// <summary>A model with the initial parameters <see cref="Fit"/> would start from (for comparing EM implementations).</summary>
    public static HiddenMarkovModel Initialize(IReadOnlyList<Tensor> sequences, HmmOptions options)
    {
        var (prepared, dim) = PrepareTraining(sequences, options);
        try { return new HiddenMarkovModel(HmmInitializer.Initialize(prepared, options, dim), options); }
        finally { DisposeAll(prepared); }
    }

    private static HiddenMarkovModel FitFrom(HmmParameters initial, List<Tensor> prepared, HmmOptions options,
        IProgress<HmmEmProgress>? progress, CancellationToken ct)
    {
        var batches = HmmBatch.PadInGroups(prepared, HmmBatch.CellBudget(options.States));
        DisposeAll(prepared);
        try
        {
            var monitor = new HmmConvergenceMonitor(options.Tol, options.MaxIter);
            var final = BaumWelch.Run(initial, batches, options, monitor, progress, ct);
            return new HiddenMarkovModel(final, options, monitor);
        }
        finally
        {
            foreach (var b in batches)
                b.Dispose();
        }
    }

    /// <summary>log p(sequence) in nats.</summary>
    public double LogLikelihood(Tensor sequence) => LogLikelihoods(new[] { sequence })[0];

    /// <summary>log p(sequence) of every sequence, in input order.</summary>
    public double[] LogLikelihoods(IReadOnlyList<Tensor> sequences, CancellationToken cancellation = default)
    {
        var result = new double[sequences.Count];
        WithBatches(sequences, batch =>
        {
            cancellation.ThrowIfCancellationRequested();
            using var ll = HmmInference.LogLikelihood(p, batch);
            var values = ll.data<double>().ToArray();
            for (int i = 0; i < values.Length; i++)
                result[batch.Indices[i]] = values[i];
        });
        return result;
    }

    /// <summary>Posterior state marginals p(z_t = k | sequence), <c>[T, K]</c> (rows sum to 1).</summary>
    public Tensor Posteriors(Tensor sequence)
    {
        using var scope = NewDisposeScope();
        using var batch = SingleBatch(sequence);
        var (_, gamma, _, _, _) = HmmInference.ForwardBackward(p, batch);
        return gamma.squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Expected transition counts sum_t p(z_t = i, z_{t+1} = j | sequence), <c>[K, K]</c>.</summary>
    public Tensor TransitionPosteriors(Tensor sequence)
    {
        using var scope = NewDisposeScope();
        using var batch = SingleBatch(sequence);
        var (logLik, _, alpha, beta, logB) = HmmInference.ForwardBackward(p, batch);
        return HmmInference.TransitionCounts(p, batch, logLik, alpha, beta, logB).MoveToOuterDisposeScope();
    }

    /// <summary>The most likely state path <c>[T]</c> (long) and its joint log-probability log p(path, sequence).</summary>
    public (Tensor Path, double LogProb) Viterbi(Tensor sequence)
    {
        using var scope = NewDisposeScope();
        using var batch = SingleBatch(sequence);
        var (paths, logProb) = HmmInference.Viterbi(p, batch);
        return (paths.squeeze(1).MoveToOuterDisposeScope(), logProb.item<double>());
    }

    /// <summary><paramref name="request"/>.Count sequences of <paramref name="request"/>.Length steps as <see cref="SequenceSamples"/>
    /// (observations <c>[Length]</c> or <c>[Length, D]</c>, states <c>[Length]</c>). Temperature and prompt do not apply.</summary>
    public SampleSet Sample(SampleRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption(nameof(request.Count), $"must be at least 1, got {request.Count}");
        if (request.Length < 1)
            throw LoomUsageException.ForOption(nameof(request.Length), $"must be at least 1, got {request.Length}");
        if (request.Temperature != 1.0)
            throw LoomUsageException.ForOption(nameof(request.Temperature),
                $"an HMM samples its chain as fitted and has none (got {request.Temperature})");
        using var g = Seeding.Generator(request.Seed, "hmm-sample");
        using var scope = NewDisposeScope();
        var states = new Tensor[request.Length];
        using var oneThread = SingleThreadScope.Enter();
        states[0] = p.StartProb.multinomial(request.Count, replacement: true, generator: g);
        for (int t = 1; t < request.Length; t++)
            states[t] = p.TransMat[states[t - 1]].multinomial(1, replacement: true, generator: g).squeeze(1);
        var path = stack(states, 1);                                               // [Count, Length]
        var obs = p.Emissions.Sample(path.reshape(-1), g);
        obs = obs.dim() == 1 ? obs.view(request.Count, request.Length) : obs.view(request.Count, request.Length, -1);
        var observations = obs.unbind(0).Select(o => o.MoveToOuterDisposeScope()).ToList();
        var hidden = path.unbind(0).Select(s => s.MoveToOuterDisposeScope()).ToList();
        return new SequenceSamples(observations, hidden);
    }

    /// <summary>Total NLL (nats) of the sequences in <paramref name="dataPath"/> (see <see cref="HmmData.Read"/>), unit "step".</summary>
    public ScoreReport Score(string dataPath, CancellationToken cancellation = default) =>
        ScoreContent(TextFile.Read(dataPath), dataPath, cancellation);

    /// <summary>As <see cref="Score"/>, for the text of a data file held in memory.</summary>
    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default)
    {
        var sequences = HmmData.Parse(data, source, Emission);
        try
        {
            var prepared = PrepareAll(sequences, p.Emissions, source);
            long steps = prepared.Sum(s => s.shape[0]);
            double total = 0;
            WithPrepared(prepared, batch =>
            {
                cancellation.ThrowIfCancellationRequested();
                using var ll = HmmInference.LogLikelihood(p, batch);
                total += ll.sum().item<double>();
            });
            return new ScoreReport(-total, steps, "step", new Dictionary<string, double> { ["sequences"] = sequences.Count });
        }
        finally
        {
            DisposeAll(sequences);
        }
    }

    public JsonObject GetConfig()
    {
        var config = Options.ToJson();
        config["kind"] = Kind;
        config["dims"] = Emission == HmmEmission.Categorical ? 0 : Dim;
        return config;
    }

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        var state = new Dictionary<string, Tensor> { ["startprob"] = p.StartProb, ["transmat"] = p.TransMat };
        foreach (var (name, t) in p.Emissions.State)
            state[name] = t;
        return state;
    }

    public void Dispose() => p.Dispose();

    private HmmBatch SingleBatch(Tensor sequence)
    {
        using var prepared = p.Emissions.PrepareSequence(sequence, "sequence");
        return HmmBatch.Pad(new[] { prepared });
    }

    private void WithBatches(IReadOnlyList<Tensor> sequences, Action<HmmBatch> action) =>
        WithPrepared(PrepareAll(sequences, p.Emissions), action);

    private void WithPrepared(List<Tensor> prepared, Action<HmmBatch> action)
    {
        var batches = HmmBatch.PadInGroups(prepared, HmmBatch.CellBudget(States));
        DisposeAll(prepared);
        try
        {
            foreach (var batch in batches)
                action(batch);
        }
        finally
        {
            foreach (var b in batches)
                b.Dispose();
        }
    }

    private static List<Tensor> PrepareAll(IReadOnlyList<Tensor> sequences, HmmEmissions emissions, string source = "sequence")
    {
        if (sequences.Count == 0)
            throw new LoomDataException($"{source}: no sequences");
        var prepared = new List<Tensor>(sequences.Count);
        try
        {
            for (int i = 0; i < sequences.Count; i++)
                prepared.Add(emissions.PrepareSequence(sequences[i], $"{source} {i + 1}"));
            return prepared;
        }
        catch
        {
            DisposeAll(prepared);
            throw;
        }
    }

    /// <summary>Validates options and sequences for training; infers the alphabet size or dimension from the data.</summary>
    private static (List<Tensor> Prepared, int Dim) PrepareTraining(IReadOnlyList<Tensor> sequences, HmmOptions o)
    {
        o.Validate();
        if (sequences.Count == 0)
            throw new LoomDataException("training data: no sequences");
        int dim;
        if (o.Emission == HmmEmission.Categorical)
        {
            dim = o.Symbols;
            if (dim == 0)
            {
                long max = 0;
                for (int i = 0; i < sequences.Count; i++)
                {
                    var s = sequences[i];
                    if (s.numel() > 0 && !s.is_floating_point() && s.dtype != ScalarType.Bool)
                        max = Math.Max(max, s.max().item<long>());
                }
                dim = (int)max + 1;
            }
        }
        else
        {
            var first = sequences[0];
            dim = first.dim() == 1 ? 1 : (int)first.shape[^1];
            if (dim < 1)
                throw new LoomDataException("sequence 1: observations have 0 dimensions");
        }
        // A throwaway emission model of the right kind and size checks every sequence.
        using var probe = Probe(o.Emission, o.States, dim);
        return (PrepareAll(sequences, probe, "sequence"), dim);
    }

    private static HmmEmissions Probe(HmmEmission kind, int states, int dim)
    {
        using var scope = NewDisposeScope();
        return kind switch
        {
            HmmEmission.Categorical => new CategoricalEmissions(full(states, dim, 1.0 / dim, dtype: ScalarType.Float64)),
            HmmEmission.GaussianDiag =>
                new GaussianDiagEmissions(zeros(states, dim, dtype: ScalarType.Float64), ones(states, dim, dtype: ScalarType.Float64)),
            _ => new GaussianFullEmissions(zeros(states, dim, dtype: ScalarType.Float64),
                eye(dim, dtype: ScalarType.Float64).expand(states, dim, dim)),
        };
    }

    private static HmmParameters Clone(HmmParameters source)
    {
        var state = source.Emissions.State.ToDictionary(kv => kv.Key, kv => kv.Value);
        return new HmmParameters(source.StartProb, source.TransMat, HmmEmissions.FromState(source.Emissions.Kind, name => state[name]));
    }

    private static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors)
            t.Dispose();
    }
}
