using Loom.Models;
using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

/// <summary>Small ground-truth models and sampled data shared by the HMM tests.</summary>
internal static class HmmTestModels
{
    public static HiddenMarkovModel Categorical3() => HiddenMarkovModel.Categorical(
        tensor(new[] { 0.5, 0.3, 0.2 }),
        tensor(new double[,] { { 0.8, 0.15, 0.05 }, { 0.1, 0.7, 0.2 }, { 0.25, 0.25, 0.5 } }),
        tensor(new double[,] { { 0.7, 0.2, 0.05, 0.05 }, { 0.1, 0.1, 0.7, 0.1 }, { 0.05, 0.45, 0.05, 0.45 } }));

    /// <summary>Two well-separated 2-D Gaussian states.</summary>
    public static HiddenMarkovModel Separated2() => HiddenMarkovModel.Gaussian(
        tensor(new[] { 0.6, 0.4 }),
        tensor(new double[,] { { 0.9, 0.1 }, { 0.2, 0.8 } }),
        tensor(new double[,] { { -3.0, 0.0 }, { 3.0, 1.0 } }),
        tensor(new double[,] { { 0.5, 0.8 }, { 0.6, 0.4 } }));

    public static HiddenMarkovModel Full2() => HiddenMarkovModel.Gaussian(
        tensor(new[] { 0.5, 0.5 }),
        tensor(new double[,] { { 0.85, 0.15 }, { 0.1, 0.9 } }),
        tensor(new double[,] { { -2.0, 1.0 }, { 2.0, -1.0 } }),
        tensor(new double[] { 1.0, 0.5, 0.5, 1.0, 0.6, -0.2, -0.2, 0.8 }, new long[] { 2, 2, 2 }));

    public static SequenceSamples Sample(HiddenMarkovModel model, int count, int length, long seed = 3) =>
        (SequenceSamples)model.Sample(new SampleRequest { Count = count, Length = length, Seed = seed });
}
