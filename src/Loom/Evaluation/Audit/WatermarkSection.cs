using Loom.Models;
using Loom.Text.Generation;
using Loom.Text.Watermarks;

namespace Loom.Evaluation.Audit;

/// <summary>
/// Watermark presence: whether the model's own generation defaults watermark its text, and — given the key — how many of
/// the audit's samples the detector finds watermarked. A watermark is applied when text is generated, not stored in the
/// weights, so the same checkpoint can produce marked and unmarked text.
/// </summary>
public static class WatermarkSection
{
    public static AuditSection Build(IGenerativeModel? model, SampleSet samples, AuditOptions options)
    {
        var section = new AuditSection("watermark", "Watermark presence");
        if (model?.GetService<ITextGenerationModel>() is { } text && samples is TextSamples texts)
        {
            Text(section, text, texts.Texts, options.TextWatermark);
            return section;
        }
        section.Finding = "not applicable: no text watermark for this kind of model (image watermarks are checked with "
            + "loom watermark-image detect).";
        return section;
    }

    private static void Text(AuditSection section, ITextGenerationModel model, IReadOnlyList<string> samples, WatermarkOptions? key)
    {
        bool byDefault = model.DefaultSettings().Watermark is not null;
        section.Fact("watermarked_by_default", byDefault ? "yes (generation defaults carry a watermark key)" : "no");
        if (key is null)
        {
            section.Finding = (byDefault ? "the model's generation defaults watermark its text" : "the model's generation defaults do not "
                + "watermark its text") + "; no key was given, so the samples were not tested.";
            return;
        }
        var generator = model.CreateGenerator();
        var detector = new WatermarkDetector(key, generator.Model.VocabSize, generator.Tokenizer);
        var detections = samples.Select(detector.Detect).Where(d => d.TokensScored > 0).ToList();
        if (detections.Count == 0)
        {
            section.Finding = "no sample had a token to score.";
            return;
        }
        double detected = detections.Count(d => d.IsWatermarked) / (double)detections.Count;
        section.Fact("samples_tested", detections.Count).Fact("detected_share", detected)
            .Fact("mean_z", detections.Average(d => d.ZScore)).Fact("z_threshold", detector.ZThreshold);
        section.Finding = $"{AuditSection.Percent(detected)} of {detections.Count} samples carry the watermark of the given key "
            + $"(mean z {Suite.MetricValue.Format(detections.Average(d => d.ZScore))}); the model's generation defaults "
            + (byDefault ? "watermark" : "do not watermark") + " its text.";
    }
}
