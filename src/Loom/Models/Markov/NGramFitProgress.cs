namespace Loom.Models.Markov;

/// <summary>How far an n-gram count has got: tokens counted of the training text's tokens.</summary>
public sealed record NGramFitProgress(long Counted, long Total);
