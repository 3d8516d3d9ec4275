using Loom.Audio;
using Loom.Core;
using Loom.Data.Audio;
using Loom.Evaluation.Audio;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Audio samples against labelled real clips (a spoken-digits index): a <see cref="SpectrogramClassifier"/> fitted once
/// to the train split judges the samples. Metrics: <c>class_accuracy</c>, the share of a conditional model's clips heard
/// as the class they were drawn for, and <c>real_test_accuracy</c>, the same classifier on the real test clips (how far
/// to trust it). Figures: the first clip of each class (or the first four clips) as WAV players and spectrogram PNGs.
/// </summary>
public sealed class AudioEvaluator(string indexPath)
{
    private const int UnlabelledFigures = 4;
    private SpectrogramClassifier? _classifier;
    private double _realTestAccuracy;
    private int _trainClips;

    /// <summary>Adds the metrics and figures of <paramref name="samples"/> to <paramref name="result"/>.</summary>
    public void Evaluate(AudioSamples samples, EvaluationResult result, string outDir, CancellationToken cancellation = default)
    {
        var classifier = Classifier(cancellation);
        result.SampleCount = samples.Clips.Count;
        result.ReferenceCount = _trainClips;
        result.FeatureSpace = $"log spectrogram, {classifier.Features.Bands} mel bands × {classifier.Features.Segments} "
            + "time segments (softmax regression on the train split)";
        result.Add("real_test_accuracy", _realTestAccuracy);
        var classes = samples.Labels is null ? null : DigitsOf(samples, result);
        if (classes is not null)
            result.Add("class_accuracy", classifier.Accuracy(samples.Clips, classes));
        else if (samples.Labels is null)
            result.Notes.Add("the clips carry no requested class (an unconditional model): class_accuracy skipped");
        result.Add("mean_clip_seconds", samples.Clips.Average(c => c.Seconds));

        var shown = samples.Labels is { } labels
            ? Enumerable.Range(0, samples.Clips.Count).GroupBy(i => labels[i]).Select(g => g.First()).Take(10).ToList()
            : Enumerable.Range(0, Math.Min(UnlabelledFigures, samples.Clips.Count)).ToList();
        foreach (int i in shown)
        {
            var clip = samples.Clips[i];
            string label = samples.Labels is { } l ? $"class {ClassName(samples, l[i])}, " : "";
            string stem = $"{ImageEvaluator.FileSafe(result.Name)}-clip-{i}";
            WavFile.Write(Path.Combine(outDir, stem + ".wav"), clip);
            SpectrogramPng.Write(Path.Combine(outDir, stem + ".png"), clip);
            string heard = SpokenDigits.Words[classifier.Predict(clip) % SpokenDigits.Words.Count];
            result.Figures.Add(new ReportFigure(stem + ".wav", $"{result.Name}: clip {i} ({label}heard as {heard})"));
            result.Figures.Add(new ReportFigure(stem + ".png", $"{result.Name}: clip {i}, spectrogram"));
        }
    }

    private SpectrogramClassifier Classifier(CancellationToken cancellation)
    {
        if (_classifier is not null) return _classifier;
        var train = SpokenDigits.Load(indexPath, SpokenDigits.TrainSplit);
        var test = SpokenDigits.Load(indexPath, SpokenDigits.TestSplit);
        if (train.Count == 0 || test.Count == 0)
            throw LoomDataException.ForOption("Data", $"{indexPath}: audio evaluation needs train and test clips");
        _classifier = SpectrogramClassifier.Train(train.Select(c => c.Clip).ToList(), train.Select(c => c.Row.Digit).ToList(),
            SpokenDigits.Words.Count, cancellation: cancellation);
        _realTestAccuracy = _classifier.Accuracy(test.Select(c => c.Clip).ToList(), test.Select(c => c.Row.Digit).ToList());
        _trainClips = train.Count;
        return _classifier;
    }

    /// <summary>The digits the clips were drawn for: class names matched to the digit words, or plain ids when unnamed.</summary>
    private static List<int>? DigitsOf(AudioSamples samples, EvaluationResult result)
    {
        var digits = new List<int>();
        foreach (int label in samples.Labels!)
        {
            int digit = samples.ClassNames is { } names
                ? (label >= 0 && label < names.Count ? IndexOfWord(names[label]) : -1)
                : label;
            if (digit < 0 || digit >= SpokenDigits.Words.Count)
            {
                result.Notes.Add($"class {ClassName(samples, label)} is not a spoken digit: class_accuracy skipped");
                return null;
            }
            digits.Add(digit);
        }
        return digits;
    }

    private static int IndexOfWord(string name)
    {
        for (int i = 0; i < SpokenDigits.Words.Count; i++)
            if (SpokenDigits.Words[i] == name) return i;
        return -1;
    }

    private static string ClassName(AudioSamples samples, int label) =>
        samples.ClassNames is { } names && label >= 0 && label < names.Count ? names[label] : label.ToString();
}
