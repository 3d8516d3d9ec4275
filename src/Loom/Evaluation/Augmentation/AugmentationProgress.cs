namespace Loom.Evaluation.Augmentation;

/// <summary>Where an <see cref="AugmentationStudy"/> is: <paramref name="Done"/> of <paramref name="Total"/> classifiers trained.</summary>
public sealed record AugmentationProgress(int Done, int Total, string Status);
