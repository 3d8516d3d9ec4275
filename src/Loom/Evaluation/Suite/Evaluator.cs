using Loom.Audio;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Memorization;
using Loom.Evaluation.Reference;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Evaluates checkpoints and sample files against one real dataset and collects an <see cref="EvaluationResult"/>
/// for each: likelihood (when the model has one), sample quality, diversity and memorization metrics for the data's
/// kind, a membership-inference audit for models that score examples and for language models trained on lines, and the
/// loss curve from the checkpoint's log. Real-data features are computed once and cached on disk.
/// </summary>
public sealed class Evaluator : IDisposable
{
    private readonly EvaluationDataSpec data;
    private readonly EvaluationOptions options;
    private readonly FeatureCache cache;
    private readonly IProgress<string>? progress;
    private ImageEvaluationData? images;
    private ReferenceClassifier? network;
    private ImageEvaluator? imageEvaluator;
    private AudioEvaluator? audioEvaluator;

    public Evaluator(string dataSpec, EvaluationOptions options, FeatureCache? cache = null, IProgress<string>? progress = null)
    {
        options.Validate();
        data = EvaluationDataSpec.Resolve(dataSpec);
        this.options = options;
        this.cache = cache ?? new FeatureCache();
        this.progress = progress;
    }

    public EvaluationDataKind DataKind => data.Kind;

    /// <summary>Evaluates one checkpoint folder or sample file; figures go to <paramref name="outDir"/>.</summary>
    public EvaluationResult Evaluate(string sourcePath, string outDir, CancellationToken cancellation = default)
    {
        progress?.Report($"{sourcePath}: drawing samples");
        using var source = OpenSource(sourcePath);
        return Evaluate(source, outDir, cancellation);
    }

    /// <summary>Opens a checkpoint or sample file the way <see cref="Evaluate(string, string, CancellationToken)"/> does (samples
    /// drawn with this evaluator's options), for a caller that also wants the samples.</summary>
    public EvaluationSource OpenSource(string sourcePath) =>
        EvaluationSource.Open(sourcePath, options, DataKind);

    /// <summary>Evaluates an opened source; the caller keeps and disposes it.</summary>
    public EvaluationResult Evaluate(EvaluationSource source, string outDir, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(outDir);
        string sourcePath = source.Path;
        var result = new EvaluationResult(source.Name, source.Kind);
        cancellation.ThrowIfCancellationRequested();
        switch (DataKind, source.Samples)
        {
            case (EvaluationDataKind.Images, TensorSamples t):
                EvaluateImages(t.Values, source.Labels, source.LabelNames, result, outDir);
                break;
            case (EvaluationDataKind.Vectors, TensorSamples t):
                EvaluateVectors(source, t.Values, result, outDir);
                break;
            case (EvaluationDataKind.Text, TextSamples t):
                new TextEvaluator(options).Evaluate(t.Texts, data.File!, result);
                break;
            case (EvaluationDataKind.Audio, AudioSamples a):
                (audioEvaluator ??= new AudioEvaluator(data.File!)).Evaluate(a, result, outDir, cancellation);
                break;
            default:
                throw new LoomDataException($"{sourcePath}: a '{source.Kind}' source gives {Describe(source.Samples)}, which cannot be "
                    + $"compared with the evaluation data {data.Spec} ({DataKind.ToString().ToLowerInvariant()})");
        }
        if (source.Model?.GetService<ILikelihoodModel>() is { } audioLikelihood && DataKind == EvaluationDataKind.Audio)
            AddLikelihood(result, audioLikelihood.Score(data.File!, cancellation));
        if (source.Model?.GetService<ILikelihoodModel>() is { } likelihood && DataKind == EvaluationDataKind.Text)
        {
            if (source.TrainingSha256() == FileHash.Sha256(data.File!))
                result.Notes.Add($"the evaluation data {data.Spec} is the checkpoint's own training data: "
                    + "the likelihood measures fit, not generalization");
            AddLikelihood(result, likelihood.Score(data.File!, cancellation));
            TextMembershipAudit.Add(result, source, data.File!, options.Seed);
        }
        if (source.IsCheckpoint)
            AddLossCurve(source.Path, result, outDir);
        return result;
    }

    private void EvaluateImages(Tensor samples, Tensor? labels, IReadOnlyList<string>? labelNames, EvaluationResult result, string outDir)
    {
        images ??= ImageEvaluationData.FashionMnistSplits();
        network ??= ReferenceClassifier.LoadBundled();
        imageEvaluator ??= new ImageEvaluator(network, cache, options);
        string? problem = null;
        using var requested = labels is null ? null : ReferenceLabels.Map(labels, labelNames, FashionMnist.ClassNames, out problem);
        if (problem is not null)
            result.Notes.Add(problem);
        imageEvaluator.Evaluate(samples, images, result, outDir, progress, requested);
    }

    private void EvaluateVectors(EvaluationSource source, Tensor samples, EvaluationResult result, string outDir)
    {
        using var scope = torch.NewDisposeScope();
        Tensor reference;
        string name;
        if (data.ToyName is { } toy)
        {
            // Fresh points from the toy distribution, from a seed no training run uses by default.
            reference = ToyData.Generate(toy, Math.Max(options.Samples, 2000), Seeding.Derive(options.Seed, "eval-heldout"));
            name = $"toy:{toy} (fresh draw)";
        }
        else
        {
            reference = NumericCsv.ReadMatrix(data.File!);
            name = Path.GetFileName(data.File!);
        }
        var training = source.TrainingVectors();
        bool heldOutIsTraining = data.File is not null && source.TrainingSha256() == FileHash.Sha256(data.File);
        if (heldOutIsTraining)
            result.Notes.Add($"the evaluation data {name} is the checkpoint's own training data: "
                + "the metrics measure fit, not generalization");
        var vectors = new VectorEvaluationData(name, reference, heldOutIsTraining ? null : training);
        new VectorEvaluator(options).Evaluate(samples, vectors, result, outDir);
        if (source.Model is IExampleScorer scorer)
        {
            using var nll = scorer.ExampleNll(reference);
            AddLikelihood(result, new ScoreReport(nll.sum().ToDouble(), reference.shape[0], "sample"));
            if (training is not null && !heldOutIsTraining)
                AddMembership(result, scorer, training, reference);
        }
    }

    private void AddMembership(EvaluationResult result, IExampleScorer scorer, Tensor training, Tensor heldOut)
    {
        int count = (int)Math.Min(2000, Math.Min(training.shape[0], heldOut.shape[0]));
        using var members = scorer.ExampleNll(ImageEvaluator.SeededSubset(training, count, options.Seed));
        using var others = scorer.ExampleNll(ImageEvaluator.SeededSubset(heldOut, count, options.Seed));
        var mia = MembershipInference.LossThreshold(members.data<double>().ToArray(), others.data<double>().ToArray());
        result.Add("mia_auroc", mia.Auroc);
        result.Add("mia_advantage", mia.Advantage);
        result.Add("mia_tpr_at_1pct_fpr", mia.TprAtLowFpr);
    }

    private static void AddLikelihood(EvaluationResult result, ScoreReport report)
    {
        result.Add($"nll_per_{report.Unit}", report.NllPerUnit);
        result.Add("perplexity", report.Perplexity);
        result.Add($"bits_per_{report.Unit}", report.BitsPerUnit);
    }

    private static void AddLossCurve(string checkpoint, EvaluationResult result, string outDir)
    {
        var logPath = Path.Combine(checkpoint, Checkpoint.LogFile);
        if (!File.Exists(logPath))
            return;
        var png = ImageEvaluator.FileSafe(result.Name) + "-loss.png";
        try
        {
            MetricsLog.WriteLossCurve(MetricsLog.ReadFile(logPath), Path.Combine(outDir, png), $"{result.Name}: training loss");
        }
        catch (System.Text.Json.JsonException)
        {
            result.Notes.Add($"loss curve skipped: {logPath} is not valid JSON lines");
        }
        if (File.Exists(Path.Combine(outDir, png)))
            result.Figures.Add(new ReportFigure(png, $"{result.Name}: loss curve from log.jsonl"));
    }

    private static string Describe(SampleSet samples) => samples switch
    {
        TensorSamples t => $"tensors [{string.Join("×", t.Values.shape)}]",
        TextSamples => "text",
        SequenceSamples => "sequences",
        AudioSamples => "audio clips",
        _ => samples.GetType().Name,
    };

    public void Dispose()
    {
        images?.Dispose();
        network?.Dispose();
    }
}
