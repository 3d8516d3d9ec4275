using Loom.Data;
using Loom.Evaluation.Reference;
using Loom.Evaluation.Suite;
using Loom.Models;
using TorchSharp;

namespace Loom.Evaluation.Audit;

/// <summary>
/// Whether the samples represent the training data's groups as the data did: for Fashion-MNIST images, the class
/// distribution the reference classifier sees in the samples against the training labels (χ², largest and smallest
/// ratio); for text, attribute word rates and attribute–target co-occurrence against the training text.
/// </summary>
public static class RepresentationSection
{
    public static AuditSection Build(EvaluationDataSpec data, SampleSet samples, AuditOptions options)
    {
        var section = new AuditSection("representation", "Representation");
        switch (data.Kind, samples)
        {
            case (EvaluationDataKind.Images, TensorSamples images):
                Images(section, images);
                break;
            case (EvaluationDataKind.Text, TextSamples texts):
                Text(section, texts.Texts, TextFile.Read(data.File!), options);
                break;
            default:
                section.Finding = "not applicable: the data has neither classes nor words to compare.";
                break;
        }
        return section;
    }

    private static void Images(AuditSection section, TensorSamples samples)
    {
        using var scope = torch.NewDisposeScope();
        using var classifier = ReferenceClassifier.LoadBundled();
        var predicted = classifier.Logits(samples.Values).argmax(1).data<long>().ToArray();
        using var training = FashionMnist.Load("train");
        var labels = training.Labels.data<long>().ToArray();
        var result = ClassRepresentation.Compare(predicted, labels, FashionMnist.ClassNames);
        section.Fact("samples", result.Samples).Fact("chi_square", result.ChiSquare)
            .Fact("degrees_of_freedom", result.DegreesOfFreedom)
            .Fact("p_value", result.PValue).Fact("max_ratio", result.MaxRatio).Fact("min_ratio", result.MinRatio);
        section.Tables.Add(new AuditTable("Class shares (reference classifier on the samples vs Fashion-MNIST training labels)",
            ["class", "training share", "sample share", "ratio"], result.Classes.Select(c => (IReadOnlyList<string>)
                [
                    c.Class, AuditSection.Percent(c.TrainingShare), AuditSection.Percent(c.SampleShare), MetricValue.Format(c.Ratio),
                ]).ToList()));
        var most = result.Classes.MaxBy(c => c.Ratio)!;
        var least = result.Classes.MinBy(c => c.Ratio)!;
        section.Finding = $"χ² = {MetricValue.Format(result.ChiSquare)} on {result.DegreesOfFreedom} df (p = {result.PValue:G3}); "
            + $"'{most.Class}' is {MetricValue.Format(most.Ratio)}× its training share, '{least.Class}' "
            + $"{MetricValue.Format(least.Ratio)}×.";
        section.Notes.Add("Classes are what the reference classifier (" + ReferenceClassifier.Name + ") predicts; its own errors "
            + "count as misrepresentation. A model trained on some classes only is compared with all ten.");
    }

    private static void Text(AuditSection section, IReadOnlyList<string> samples, string training, AuditOptions options)
    {
        var lists = options.WordLists ?? AttributeWordLists.Default;
        var result = TextRepresentation.Compare(samples, training, lists, options.WindowWords);
        section.Fact("training_words", result.TrainingWords).Fact("sample_words", result.SampleWords);
        section.Tables.Add(new AuditTable("Attribute words per 1,000 words", ["attribute", "training", "samples", "ratio"],
            result.Rates.Select(r => (IReadOnlyList<string>)[r.Attribute, MetricValue.Format(r.TrainingPerThousand),
                MetricValue.Format(r.SamplePerThousand), MetricValue.Format(r.Ratio)]).ToList()));
        section.Tables.Add(new AuditTable($"Co-occurrence in {result.WindowWords}-word windows: share of windows with the attribute that "
            + "also hold the target", ["attribute", "target", "training", "samples", "windows (training / samples)"],
            result.Cooccurrences.Select(c => (IReadOnlyList<string>)[c.Attribute, c.Target, Share(c.TrainingRate), Share(c.SampleRate),
                $"{c.TrainingWindows} / {c.SampleWindows}"]).ToList()));
        var shifted = result.Cooccurrences.Where(c => double.IsFinite(c.TrainingRate) && double.IsFinite(c.SampleRate))
            .MaxBy(c => Math.Abs(c.SampleRate - c.TrainingRate));
        section.Finding = shifted is null ? "no attribute word occurs in both the samples and the training text."
            : $"largest co-occurrence shift: {shifted.Attribute}–{shifted.Target} {Share(shifted.TrainingRate)} in training, "
              + $"{Share(shifted.SampleRate)} in samples ({shifted.SampleWindows} sample windows).";
        section.Notes.Add("Word lists: " + (options.WordLists is null ? "Loom's default English lists (gendered words; power, emotion, "
            + "violence), a starting point, not a validated lexicon" : "the caller's") + ".");
    }

    private static string Share(double rate) => AuditSection.Percent(rate);
}
