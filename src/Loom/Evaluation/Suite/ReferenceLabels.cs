using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Puts the classes samples were asked for into the reference classifier's numbering. A model trained on a subset of
/// classes numbers them 0…k−1; its samples carry the names of those classes, and the names find the classifier's ids.
/// </summary>
public static class ReferenceLabels
{
    /// <summary>
    /// The labels as reference class ids, or null with <paramref name="problem"/> saying why they cannot be scored.
    /// Without <paramref name="names"/> the labels are taken to be reference ids already and must lie in its range.
    /// </summary>
    /// <param name="labels">int64 [n]: indices into <paramref name="names"/>, or reference ids when names is null.</param>
    /// <param name="names">What each label value names (case and punctuation are ignored when matching), or null.</param>
    /// <param name="referenceNames">The classifier's class names, in its order.</param>
    public static Tensor? Map(Tensor labels, IReadOnlyList<string>? names, IReadOnlyList<string> referenceNames, out string? problem)
    {
        problem = null;
        using var scope = torch.NewDisposeScope();
        long low = labels.numel() == 0 ? 0 : labels.min().ToInt64(), high = labels.numel() == 0 ? -1 : labels.max().ToInt64();
        if (names is null)
        {
            if (low < 0 || high >= referenceNames.Count)
            {
                problem = $"labels span {low}..{high}, outside the reference network's classes "
                    + $"0..{referenceNames.Count - 1}; class_accuracy skipped";
                return null;
            }
            return labels.to(ScalarType.Int64).clone().MoveToOuterDisposeScope();
        }
        if (low < 0 || high >= names.Count)
        {
            problem = $"labels span {low}..{high} but {names.Count} class names are given; class_accuracy skipped";
            return null;
        }
        var referenceKeys = referenceNames.Select(FashionMnistClasses.NameKey).ToList();
        var lookup = new long[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            int found = referenceKeys.IndexOf(FashionMnistClasses.NameKey(names[i]));
            if (found < 0)
            {
                problem = $"class '{names[i]}' is not one of the reference network's classes "
                    + $"({string.Join(", ", referenceNames)}); class_accuracy skipped";
                return null;
            }
            lookup[i] = found;
        }
        return torch.tensor(lookup).index_select(0, labels.to(ScalarType.Int64)).MoveToOuterDisposeScope();
    }
}
