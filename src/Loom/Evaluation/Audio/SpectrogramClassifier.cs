using Loom.Audio;
using Loom.Core;

namespace Loom.Evaluation.Audio;

/// <summary>
/// A small audio classifier for judging generated clips (does a WaveNet's "three" sound like a three?): softmax
/// regression on standardized <see cref="SpectrogramFeatures"/>, fitted to labelled real clips by full-batch Adam on the
/// mean cross-entropy plus a squared-weight penalty. Deterministic: the weights start at zero and there is no sampling.
/// Managed code only (no libtorch), so it runs beside a model on any thread.
/// </summary>
public sealed class SpectrogramClassifier
{
    private readonly SpectrogramFeatures _features;
    private readonly double[] _mean, _scale;
    private readonly double[,] _weights;
    private readonly double[] _bias;

    private SpectrogramClassifier(SpectrogramFeatures features, double[] mean, double[] scale, double[,] weights, double[] bias)
    {
        (_features, _mean, _scale, _weights, _bias) = (features, mean, scale, weights, bias);
    }

    /// <summary>The features each clip is described by.</summary>
    public SpectrogramFeatures Features => _features;

    /// <summary>Classes the classifier tells apart (labels 0 … Classes − 1).</summary>
    public int Classes => _bias.Length;

    /// <summary>Fits a classifier to <paramref name="clips"/> with their <paramref name="labels"/> (0 … classes − 1).</summary>
    public static SpectrogramClassifier Train(
        IReadOnlyList<AudioClip> clips, IReadOnlyList<int> labels, int classes,
        SpectrogramClassifierOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new SpectrogramClassifierOptions();
        options.Validate();
        if (classes < 2) throw LoomUsageException.ForOption("classes", $"must be at least 2, got {classes}");
        if (clips.Count == 0) throw new LoomDataException("no clips to train the classifier on");
        if (labels.Count != clips.Count)
            throw new LoomDataException($"{clips.Count} clips but {labels.Count} labels: one label per clip");
        foreach (int label in labels)
            if (label < 0 || label >= classes) throw new LoomDataException($"label {label} is outside 0…{classes - 1}");

        var x = clips.Select(options.Features.Extract).ToArray();
        int n = x.Length, d = options.Features.Length;
        var mean = new double[d];
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            double m = 0, v = 0;
            for (int i = 0; i < n; i++) m += x[i][j];
            m /= n;
            for (int i = 0; i < n; i++) v += (x[i][j] - m) * (x[i][j] - m);
            mean[j] = m;
            scale[j] = 1 / Math.Sqrt(v / n + 1e-8);
        }
        foreach (var row in x)
            for (int j = 0; j < d; j++) row[j] = (row[j] - mean[j]) * scale[j];

        var weights = new double[d, classes];
        var bias = new double[classes];
        var adam = new AdamState(d * classes + classes);
        var gradient = new double[d * classes + classes];
        var probabilities = new double[classes];
        for (int step = 1; step <= options.Iterations; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            Array.Clear(gradient);
            for (int i = 0; i < n; i++)
            {
                Softmax(x[i], weights, bias, probabilities);
                probabilities[labels[i]] -= 1;
                for (int j = 0; j < d; j++)
                    for (int c = 0; c < classes; c++) gradient[j * classes + c] += x[i][j] * probabilities[c] / n;
                for (int c = 0; c < classes; c++) gradient[d * classes + c] += probabilities[c] / n;
            }
            for (int j = 0; j < d; j++)
                for (int c = 0; c < classes; c++) gradient[j * classes + c] += 2 * options.WeightDecay * weights[j, c];
            adam.Step(gradient, options.LearningRate, step, (k, delta) =>
            {
                if (k < d * classes) weights[k / classes, k % classes] -= delta;
                else bias[k - d * classes] -= delta;
            });
        }
        return new SpectrogramClassifier(options.Features, mean, scale, weights, bias);
    }

    /// <summary>Class probabilities of one clip.</summary>
    public double[] Probabilities(AudioClip clip)
    {
        var x = _features.Extract(clip);
        for (int j = 0; j < x.Length; j++) x[j] = (x[j] - _mean[j]) * _scale[j];
        var probabilities = new double[Classes];
        Softmax(x, _weights, _bias, probabilities);
        return probabilities;
    }

    /// <summary>The most probable class of one clip.</summary>
    public int Predict(AudioClip clip)
    {
        var p = Probabilities(clip);
        int best = 0;
        for (int c = 1; c < p.Length; c++)
            if (p[c] > p[best]) best = c;
        return best;
    }

    /// <summary>The fraction of <paramref name="clips"/> predicted as their <paramref name="labels"/>.</summary>
    public double Accuracy(IReadOnlyList<AudioClip> clips, IReadOnlyList<int> labels)
    {
        if (clips.Count == 0 || clips.Count != labels.Count)
            throw new LoomDataException($"{clips.Count} clips and {labels.Count} labels: need one label per clip, at least one clip");
        return (double)clips.Where((clip, i) => Predict(clip) == labels[i]).Count() / clips.Count;
    }

    private static void Softmax(double[] x, double[,] weights, double[] bias, double[] probabilities)
    {
        int classes = bias.Length;
        double max = double.NegativeInfinity;
        for (int c = 0; c < classes; c++)
        {
            double z = bias[c];
            for (int j = 0; j < x.Length; j++) z += x[j] * weights[j, c];
            probabilities[c] = z;
            max = Math.Max(max, z);
        }
        double total = 0;
        for (int c = 0; c < classes; c++) total += probabilities[c] = Math.Exp(probabilities[c] - max);
        for (int c = 0; c < classes; c++) probabilities[c] /= total;
    }

    /// <summary>Adam's moment estimates (β₁ 0.9, β₂ 0.999, ε 1e-8) for a flat parameter vector.</summary>
    private sealed class AdamState(int size)
    {
        private readonly double[] _first = new double[size], _second = new double[size];

        public void Step(double[] gradient, double learningRate, int step, Action<int, double> apply)
        {
            double correction1 = 1 - Math.Pow(0.9, step), correction2 = 1 - Math.Pow(0.999, step);
            for (int k = 0; k < gradient.Length; k++)
            {
                _first[k] = 0.9 * _first[k] + 0.1 * gradient[k];
                _second[k] = 0.999 * _second[k] + 0.001 * gradient[k] * gradient[k];
                apply(k, learningRate * (_first[k] / correction1) / (Math.Sqrt(_second[k] / correction2) + 1e-8));
            }
        }
    }
}
